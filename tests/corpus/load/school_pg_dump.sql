--
-- A pg_dump-style school schema with keys over several columns: a room is a building and a
-- number, a class is a course in a term, teaching and enrolment point at a class by its whole
-- key. Keys come later by ALTER TABLE, as pg_dump writes them.
--

SET client_encoding = 'UTF8';

CREATE TABLE public.room (
    building character varying(10) NOT NULL,
    room_no character varying(5) NOT NULL,
    seats smallint,
    CONSTRAINT room_seats_check CHECK ((seats > 0))
);

CREATE TABLE public.subject (
    code character(6) NOT NULL,
    title character varying(40) NOT NULL
);

CREATE TABLE public.teacher (
    teacher_id integer NOT NULL,
    name character varying(30) NOT NULL
);

CREATE TABLE public.pupil (
    pupil_id integer NOT NULL,
    name character varying(30) NOT NULL
);

CREATE TABLE public.class (
    code character(6) NOT NULL,
    term character varying(6) NOT NULL,
    year numeric(4,0) NOT NULL,
    building character varying(10),
    room_no character varying(5),
    CONSTRAINT class_term_check CHECK (((term)::text = ANY ((ARRAY['spring'::character varying, 'autumn'::character varying])::text[]))),
    CONSTRAINT class_year_check CHECK (((year >= (2000)::numeric) AND (year <= (2030)::numeric)))
);

CREATE TABLE public.teaching (
    teacher_id integer NOT NULL,
    code character(6) NOT NULL,
    term character varying(6) NOT NULL,
    year numeric(4,0) NOT NULL
);

CREATE TABLE public.enrolment (
    pupil_id integer NOT NULL,
    code character(6) NOT NULL,
    term character varying(6) NOT NULL,
    year numeric(4,0) NOT NULL,
    grade character(1)
);

CREATE TABLE public.favourite (
    pupil_id integer NOT NULL,
    code character(6) NOT NULL
);

ALTER TABLE ONLY public.room
    ADD CONSTRAINT room_pkey PRIMARY KEY (building, room_no);

ALTER TABLE ONLY public.subject
    ADD CONSTRAINT subject_pkey PRIMARY KEY (code);

ALTER TABLE ONLY public.teacher
    ADD CONSTRAINT teacher_pkey PRIMARY KEY (teacher_id);

ALTER TABLE ONLY public.pupil
    ADD CONSTRAINT pupil_pkey PRIMARY KEY (pupil_id);

ALTER TABLE ONLY public.class
    ADD CONSTRAINT class_pkey PRIMARY KEY (code, term, year);

ALTER TABLE ONLY public.teaching
    ADD CONSTRAINT teaching_pkey PRIMARY KEY (teacher_id, code, term, year);

ALTER TABLE ONLY public.enrolment
    ADD CONSTRAINT enrolment_pkey PRIMARY KEY (pupil_id, code, term, year);

ALTER TABLE ONLY public.favourite
    ADD CONSTRAINT favourite_pkey PRIMARY KEY (pupil_id, code);

ALTER TABLE ONLY public.class
    ADD CONSTRAINT class_code_fkey FOREIGN KEY (code) REFERENCES public.subject(code);

ALTER TABLE ONLY public.class
    ADD CONSTRAINT class_room_fkey FOREIGN KEY (building, room_no) REFERENCES public.room(building, room_no);

ALTER TABLE ONLY public.teaching
    ADD CONSTRAINT teaching_teacher_id_fkey FOREIGN KEY (teacher_id) REFERENCES public.teacher(teacher_id);

ALTER TABLE ONLY public.teaching
    ADD CONSTRAINT teaching_class_fkey FOREIGN KEY (code, term, year) REFERENCES public.class(code, term, year);

ALTER TABLE ONLY public.enrolment
    ADD CONSTRAINT enrolment_pupil_id_fkey FOREIGN KEY (pupil_id) REFERENCES public.pupil(pupil_id);

ALTER TABLE ONLY public.enrolment
    ADD CONSTRAINT enrolment_class_fkey FOREIGN KEY (code, term, year) REFERENCES public.class(code, term, year);

ALTER TABLE ONLY public.favourite
    ADD CONSTRAINT favourite_pupil_id_fkey FOREIGN KEY (pupil_id) REFERENCES public.pupil(pupil_id);

ALTER TABLE ONLY public.favourite
    ADD CONSTRAINT favourite_code_fkey FOREIGN KEY (code) REFERENCES public.subject(code);
