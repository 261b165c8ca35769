-- Luneo app schema (lab). Idempotent: safe to run again on a database that already has it.
-- Run it as the role the app connects with (or grant that role access), on the writer only.

CREATE TABLE IF NOT EXISTS products (
  sku         text PRIMARY KEY,
  name        text NOT NULL,
  description text NOT NULL DEFAULT '',
  price_cents integer NOT NULL CHECK (price_cents >= 0)
);

INSERT INTO products (sku, name, description, price_cents) VALUES
  ('LUN-TEE-001', 'Luneo T-shirt', 'Organic cotton tee with a custom AI-rendered print.', 2900),
  ('LUN-MUG-002', 'Luneo Mug', 'Ceramic mug, 330 ml, printed on both sides.', 1450),
  ('LUN-PST-003', 'Luneo Poster', 'A2 matte poster of your render.', 2200),
  ('LUN-CAS-004', 'Luneo Phone Case', 'Shock-proof case with a full-bleed print.', 1990)
ON CONFLICT (sku) DO NOTHING;

CREATE TABLE IF NOT EXISTS orders (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  sku            text NOT NULL REFERENCES products (sku),
  quantity       integer NOT NULL CHECK (quantity BETWEEN 1 AND 100),
  email          text NOT NULL,
  total_cents    integer NOT NULL CHECK (total_cents >= 0),
  region_created text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS render_jobs (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  prompt      text NOT NULL,
  sandbox     boolean NOT NULL DEFAULT true,
  status      text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'active', 'done', 'failed')),
  -- region whose API accepted the job; rendered_by names the worker pod that rendered it
  region      text NOT NULL,
  rendered_by text,
  image       bytea,
  created_at  timestamptz NOT NULL DEFAULT now(),
  started_at  timestamptz,
  finished_at timestamptz,
  error       text,
  attempts    integer NOT NULL DEFAULT 0
);

-- The worker's claim query scans queued jobs oldest first, and stale active ones by start time.
CREATE INDEX IF NOT EXISTS render_jobs_queued_idx ON render_jobs (created_at) WHERE status = 'queued';
CREATE INDEX IF NOT EXISTS render_jobs_active_idx ON render_jobs (started_at) WHERE status = 'active';

-- E-commerce webhooks (runbook §10): one row per (provider, delivery id); a redelivery only bumps `deliveries`.
CREATE TABLE IF NOT EXISTS webhook_deliveries (
  provider         text NOT NULL CHECK (provider IN ('shopify', 'woocommerce')),
  delivery_id      text NOT NULL,
  topic            text NOT NULL,
  shop             text,
  payload          jsonb NOT NULL,
  region           text NOT NULL,
  deliveries       integer NOT NULL DEFAULT 1,
  received_at      timestamptz NOT NULL DEFAULT now(),
  last_received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider, delivery_id)
);

-- Usage billing events: stored once per idempotency key, whoever sends it twice.
CREATE TABLE IF NOT EXISTS usage_events (
  id              bigserial PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  kind            text NOT NULL CHECK (kind IN ('order', 'render', 'webhook', 'meter')),
  ref             text,
  quantity        integer NOT NULL DEFAULT 1 CHECK (quantity > 0),
  region          text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now()
);

-- One usage event per order and per render job, written in the same transaction as the row itself.
CREATE OR REPLACE FUNCTION record_usage_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'orders' THEN
    INSERT INTO usage_events (idempotency_key, kind, ref, quantity, region)
    VALUES ('order:' || NEW.id, 'order', NEW.id::text, NEW.quantity, NEW.region_created)
    ON CONFLICT (idempotency_key) DO NOTHING;
  ELSE
    INSERT INTO usage_events (idempotency_key, kind, ref, region)
    VALUES ('render:' || NEW.id, 'render', NEW.id::text, NEW.region)
    ON CONFLICT (idempotency_key) DO NOTHING;
  END IF;
  RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER orders_usage AFTER INSERT ON orders FOR EACH ROW EXECUTE FUNCTION record_usage_event();
CREATE OR REPLACE TRIGGER render_jobs_usage AFTER INSERT ON render_jobs FOR EACH ROW EXECUTE FUNCTION record_usage_event();

-- Upscale jobs (runbook §10 "génération d'image, upscale"): kind 'upscale' doubles the image of source_id.
-- Job state lives in BullMQ (Redis); status here is the record the API reads.
ALTER TABLE render_jobs ADD COLUMN IF NOT EXISTS kind text NOT NULL DEFAULT 'render';
ALTER TABLE render_jobs ADD COLUMN IF NOT EXISTS source_id uuid REFERENCES render_jobs (id);
