--
-- A pg_dump-style script: types and tables first, keys, identity and defaults later by
-- ALTER TABLE, and statements about other things (functions, sequences, views, triggers,
-- grants) in between.
--

SET statement_timeout = 0;
SET client_encoding = 'UTF8';
SELECT pg_catalog.set_config('search_path', '', false);

CREATE TYPE public.mood AS ENUM (
    'sad',
    'ok',
    'happy'
);

CREATE DOMAIN public.year AS integer
	CONSTRAINT year_check CHECK (((VALUE >= 1901) AND (VALUE <= 2155)));

CREATE FUNCTION public.touch() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.updated_at = now();  -- a ; inside the body
    RETURN NEW;
END
$$;

CREATE TABLE public.country (
    country_id integer NOT NULL,
    name character varying(50) NOT NULL,
    code character(2) NOT NULL,
    updated_at timestamp without time zone DEFAULT now() NOT NULL
);

ALTER TABLE public.country ALTER COLUMN country_id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.country_country_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE SEQUENCE public.city_city_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1;

CREATE TABLE public.city (
    city_id integer DEFAULT nextval('public.city_city_id_seq'::regclass) NOT NULL,
    city character varying(20) NOT NULL,
    country_id integer NOT NULL,
    population bigint,
    CONSTRAINT city_population_check CHECK ((population >= 0))
);

CREATE TABLE public.member (
    member_id integer NOT NULL,
    email character varying(30) NOT NULL,
    first_name character varying(10) NOT NULL,
    last_name character varying(12),
    mood public.mood DEFAULT 'ok'::public.mood,
    born public.year,
    rating text,
    balance numeric(6,2) NOT NULL,
    doubled numeric(8,2) GENERATED ALWAYS AS ((balance * (2)::numeric)) STORED,
    t_meal_time character(20),
    level smallint NOT NULL,
    home_city_id integer,
    CONSTRAINT member_rating_check CHECK ((rating = ANY (ARRAY['G'::text, 'PG'::text, 'R'::text]))),
    CONSTRAINT member_balance_check CHECK ((balance >= (0)::numeric)),
    CONSTRAINT member_level_check CHECK (((level >= 1) AND (level <= 5)))
);

CREATE TABLE public.member_detail (
    member_id integer NOT NULL,
    bio text,
    photo bytea
);

CREATE TABLE public.membership (
    member_id integer NOT NULL,
    city_id integer NOT NULL,
    since date NOT NULL
);

CREATE TABLE public.event (
    event_id integer NOT NULL,
    happened_at timestamp with time zone NOT NULL
);

CREATE TABLE public.event_2024 (
    note character varying(40),
    CONSTRAINT event_2024_check CHECK (((happened_at >= '2024-01-01 00:00:00+00'::timestamp with time zone) AND (happened_at < '2025-01-01 00:00:00+00'::timestamp with time zone))),
    CONSTRAINT event_2024_note_check CHECK (((note IS NULL) OR ((note)::text ~~ '%fair'::text) OR ((note)::text ~~ 'Cup _'::text)))
)
INHERITS (public.event);

CREATE TABLE public.payment (
    payment_id integer NOT NULL,
    member_id integer NOT NULL,
    amount numeric(5,2) NOT NULL,
    paid_at timestamp with time zone NOT NULL
)
PARTITION BY RANGE (paid_at);

CREATE TABLE public.payment_2024_01 (
    payment_id integer NOT NULL,
    member_id integer NOT NULL,
    amount numeric(5,2) NOT NULL,
    paid_at timestamp with time zone NOT NULL
);

CREATE TABLE public.payment_2024_02 (
    payment_id integer NOT NULL,
    member_id integer NOT NULL,
    amount numeric(5,2) NOT NULL,
    paid_at timestamp with time zone NOT NULL
);

ALTER TABLE ONLY public.payment ATTACH PARTITION public.payment_2024_01 FOR VALUES FROM ('2024-01-01 00:00:00+00') TO ('2024-02-01 00:00:00+00');

ALTER TABLE ONLY public.payment ATTACH PARTITION public.payment_2024_02 FOR VALUES FROM ('2024-02-01 00:00:00+00') TO ('2024-03-01 00:00:00+00');

CREATE VIEW public.member_list AS
 SELECT m.member_id, m.email FROM public.member m;

ALTER TABLE public.member_list OWNER TO postgres;

ALTER TABLE ONLY public.country
    ADD CONSTRAINT country_pkey PRIMARY KEY (country_id);

ALTER TABLE ONLY public.city
    ADD CONSTRAINT city_pkey PRIMARY KEY (city_id);

ALTER TABLE ONLY public.member
    ADD CONSTRAINT member_pkey PRIMARY KEY (member_id);

ALTER TABLE ONLY public.member
    ADD CONSTRAINT member_email_key UNIQUE (email);

ALTER TABLE ONLY public.member_detail
    ADD CONSTRAINT member_detail_pkey PRIMARY KEY (member_id);

ALTER TABLE ONLY public.membership
    ADD CONSTRAINT membership_pkey PRIMARY KEY (member_id, city_id);

ALTER TABLE ONLY public.event_2024
    ADD CONSTRAINT event_2024_pkey PRIMARY KEY (event_id);

CREATE UNIQUE INDEX country_code_idx ON public.country USING btree (code);

CREATE INDEX city_country_idx ON public.city USING btree (country_id);

CREATE TRIGGER country_touch BEFORE UPDATE ON public.country
    FOR EACH ROW EXECUTE FUNCTION public.touch();

ALTER TABLE ONLY public.city
    ADD CONSTRAINT city_country_id_fkey FOREIGN KEY (country_id) REFERENCES public.country(country_id) ON UPDATE CASCADE ON DELETE RESTRICT;

ALTER TABLE ONLY public.member
    ADD CONSTRAINT member_home_city_id_fkey FOREIGN KEY (home_city_id) REFERENCES public.city(city_id);

ALTER TABLE ONLY public.member_detail
    ADD CONSTRAINT member_detail_member_id_fkey FOREIGN KEY (member_id) REFERENCES public.member(member_id);

ALTER TABLE ONLY public.membership
    ADD CONSTRAINT membership_member_id_fkey FOREIGN KEY (member_id) REFERENCES public.member(member_id);

ALTER TABLE ONLY public.membership
    ADD CONSTRAINT membership_city_id_fkey FOREIGN KEY (city_id) REFERENCES public.city(city_id);

ALTER TABLE ONLY public.payment_2024_01
    ADD CONSTRAINT payment_2024_01_member_id_fkey FOREIGN KEY (member_id) REFERENCES public.member(member_id);

ALTER TABLE ONLY public.payment_2024_02
    ADD CONSTRAINT payment_2024_02_member_id_fkey FOREIGN KEY (member_id) REFERENCES public.member(member_id);

GRANT ALL ON SCHEMA public TO PUBLIC;
