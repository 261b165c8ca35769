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
