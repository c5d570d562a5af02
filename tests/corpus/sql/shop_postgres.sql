-- A small shop in PostgreSQL.
CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped', 'cancelled');

CREATE TABLE customers (
    id          SERIAL PRIMARY KEY,
    first_name  VARCHAR(50) NOT NULL,
    last_name   VARCHAR(50) NOT NULL,
    email       VARCHAR(255) NOT NULL UNIQUE,
    phone       VARCHAR(40),
    city        VARCHAR(100),
    country     VARCHAR(60) NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);

CREATE TABLE products (
    id          UUID PRIMARY KEY,
    sku         CHAR(8) NOT NULL UNIQUE,
    name        VARCHAR(200) NOT NULL,
    description TEXT,
    price       NUMERIC(10, 2) NOT NULL CHECK (price >= 0),
    stock       INTEGER NOT NULL CHECK (stock BETWEEN 0 AND 10000),
    category    VARCHAR(20) NOT NULL CHECK (category IN ('books', 'games', 'music'))
);

CREATE TABLE orders (
    id           BIGSERIAL PRIMARY KEY,
    customer_id  INTEGER NOT NULL REFERENCES customers (id),
    status       order_status NOT NULL,
    total        NUMERIC(12, 2) NOT NULL,
    placed_at    TIMESTAMP NOT NULL,
    notes        TEXT
);

CREATE TABLE order_items (
    order_id    BIGINT NOT NULL,
    product_id  UUID NOT NULL,
    quantity    SMALLINT NOT NULL CHECK (quantity > 0 AND quantity <= 20),
    unit_price  DECIMAL(8, 2) NOT NULL,
    PRIMARY KEY (order_id, product_id),
    FOREIGN KEY (order_id) REFERENCES orders (id),
    FOREIGN KEY (product_id) REFERENCES products (id)
);
