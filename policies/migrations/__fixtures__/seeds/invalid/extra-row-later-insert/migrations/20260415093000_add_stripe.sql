-- Stripe joins the catalog, named columns in their own order.
insert into ops.integrations_catalog (name, slug, category, provider, status, baseline)
values
  ('Mailgun', 'mailgun', 'email', 'mailgun', 'available', false),
  ('Stripe', 'stripe', 'payments', 'stripe', 'available', false);
