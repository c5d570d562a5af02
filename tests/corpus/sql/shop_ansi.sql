-- A small shop in ANSI SQL.
CREATE TABLE customers (
  id INTEGER NOT NULL,
  first_name VARCHAR(50) NOT NULL,
  last_name VARCHAR(50) NOT NULL,
  email VARCHAR(255) NOT NULL,
  city VARCHAR(100),
  country VARCHAR(60) NOT NULL,
  created_at TIMESTAMP NOT NULL,
  CONSTRAINT pk_customers PRIMARY KEY (id),
  CONSTRAINT uq_customers_email UNIQUE (email)
);

CREATE TABLE products (
  id INTEGER NOT NULL PRIMARY KEY,
  sku CHAR(8) NOT NULL UNIQUE,
  name VARCHAR(200) NOT NULL,
  price DECIMAL(10, 2) NOT NULL CHECK (price >= 0),
  category VARCHAR(20) NOT NULL CHECK (category IN ('books', 'games', 'music'))
);

CREATE TABLE orders (
  id INTEGER NOT NULL PRIMARY KEY,
  customer_id INTEGER NOT NULL,
  status VARCHAR(10) NOT NULL,
  total DECIMAL(12, 2) NOT NULL,
  placed_at TIMESTAMP NOT NULL,
  notes VARCHAR(1000),
  CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id),
  CONSTRAINT chk_orders_status CHECK (status IN ('pending', 'paid', 'shipped', 'cancelled'))
);

CREATE TABLE order_items (
  order_id INTEGER NOT NULL REFERENCES orders (id),
  product_id INTEGER NOT NULL REFERENCES products (id),
  quantity SMALLINT NOT NULL CHECK (quantity BETWEEN 1 AND 20),
  unit_price DECIMAL(8, 2) NOT NULL,
  PRIMARY KEY (order_id, product_id)
);
