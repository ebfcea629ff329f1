/**
 * Extensions on the replay engines. PGlite ships most of contrib and pgvector as loadable bundles:
 * those are loaded for real. Extensions no local engine has (pg_net, pg_graphql, supabase_vault,
 * pg_cron, pgjwt, http, pg_jsonschema, pgsodium, wrappers, and vector on a server without it)
 * replay as declared stubs: their schema, types and the functions projects call, with bodies that
 * do nothing useful. A migration that uses them then replays to the end, and the report says that
 * their behaviour is not checked. On a server that has the real extension, the real one is used.
 */

/** PGlite's loadable extensions: extension name to the module that exports it (and the export's name). */
export const PGLITE_EXTENSIONS: Readonly<Record<string, { module: string; name: string }>> = Object.fromEntries<{ module: string; name: string }>([
  ...[
    'amcheck',
    'auto_explain',
    'bloom',
    'btree_gin',
    'btree_gist',
    'citext',
    'cube',
    'dict_int',
    'dict_xsyn',
    'earthdistance',
    'file_fdw',
    'fuzzystrmatch',
    'hstore',
    'intarray',
    'isn',
    'lo',
    'ltree',
    'moddatetime',
    'pageinspect',
    'pg_buffercache',
    'pg_freespacemap',
    'pg_stat_statements',
    'pg_surgery',
    'pg_trgm',
    'pg_visibility',
    'pg_walinspect',
    'pgcrypto',
    'seg',
    'tablefunc',
    'tcn',
    'tsm_system_rows',
    'tsm_system_time',
    'unaccent',
  ].map((n): [string, { module: string; name: string }] => [n, { module: `@electric-sql/pglite/contrib/${n}`, name: n }]),
  ['uuid-ossp', { module: '@electric-sql/pglite/contrib/uuid_ossp', name: 'uuid_ossp' }],
  ['vector', { module: '@electric-sql/pglite-pgvector', name: 'vector' }],
]);

/** Extensions built into PGlite's core (no bundle to load). */
export const PGLITE_BUILTIN_EXTENSIONS: readonly string[] = ['plpgsql'];

/** The notice a stubbed extension carries in the report. */
export const STUB_NOTICE = 'replayed as a stub: its behaviour is not checked';

export interface ExtensionStub {
  /** The schema the stub's objects go in when the extension's objects have a fixed schema. */
  fixedSchema?: string;
  /** The stub's SQL, given the schema of `create extension ... with schema` (else `public`). */
  sql(schema: string): string;
  /** `schema.name` of the functions, tables and views it creates (not the author's to lint). */
  objects(schema: string): string[];
}

const q = (s: string): string => `"${s.replaceAll('"', '""')}"`;

export const EXTENSION_STUBS: Readonly<Record<string, ExtensionStub>> = {
  pg_net: {
    fixedSchema: 'net',
    sql: () => `
create schema if not exists net;
grant usage on schema net to anon, authenticated, service_role;
create table if not exists net.http_request_queue (
  id bigserial primary key, method text not null, url text not null, headers jsonb not null,
  body bytea, timeout_milliseconds integer not null);
create table if not exists net._http_response (
  id bigint, status_code integer, content_type text, headers jsonb, content text,
  timed_out boolean, error_msg text, created timestamptz not null default now());
create or replace function net.http_get(url text, params jsonb default '{}', headers jsonb default '{}', timeout_milliseconds integer default 5000)
  returns bigint language sql as $stub$
  insert into net.http_request_queue (method, url, headers, timeout_milliseconds) values ('GET', url, headers, timeout_milliseconds) returning id $stub$;
create or replace function net.http_post(url text, body jsonb default '{}', params jsonb default '{}', headers jsonb default '{"Content-Type": "application/json"}', timeout_milliseconds integer default 5000)
  returns bigint language sql as $stub$
  insert into net.http_request_queue (method, url, headers, body, timeout_milliseconds) values ('POST', url, headers, convert_to(body::text, 'UTF8'), timeout_milliseconds) returning id $stub$;
create or replace function net.http_delete(url text, params jsonb default '{}', headers jsonb default '{}', timeout_milliseconds integer default 5000)
  returns bigint language sql as $stub$
  insert into net.http_request_queue (method, url, headers, timeout_milliseconds) values ('DELETE', url, headers, timeout_milliseconds) returning id $stub$;
`,
    objects: () => ['net.http_request_queue', 'net._http_response', 'net.http_get', 'net.http_post', 'net.http_delete'],
  },
  supabase_vault: {
    fixedSchema: 'vault',
    sql: () => `
create schema if not exists vault;
create table if not exists vault.secrets (
  id uuid primary key default gen_random_uuid(), name text, description text not null default '', secret text not null,
  key_id uuid, nonce bytea, created_at timestamptz not null default current_timestamp, updated_at timestamptz not null default current_timestamp);
create unique index if not exists secrets_name_idx on vault.secrets (name) where name is not null;
create or replace view vault.decrypted_secrets as
  select id, name, description, secret, secret as decrypted_secret, key_id, nonce, created_at, updated_at from vault.secrets;
create or replace function vault.create_secret(new_secret text, new_name text default null, new_description text default '', new_key_id uuid default null)
  returns uuid language sql as $stub$
  insert into vault.secrets (secret, name, description, key_id) values (new_secret, new_name, new_description, new_key_id) returning id $stub$;
create or replace function vault.update_secret(secret_id uuid, new_secret text default null, new_name text default null, new_description text default null, new_key_id uuid default null)
  returns void language sql as $stub$
  update vault.secrets set secret = coalesce(new_secret, secret), name = coalesce(new_name, name),
    description = coalesce(new_description, description), key_id = coalesce(new_key_id, key_id), updated_at = now()
  where id = secret_id $stub$;
`,
    objects: () => ['vault.secrets', 'vault.decrypted_secrets', 'vault.create_secret', 'vault.update_secret'],
  },
  pg_graphql: {
    fixedSchema: 'graphql',
    sql: () => `
create schema if not exists graphql;
create schema if not exists graphql_public;
create or replace function graphql.resolve(query text default null, variables jsonb default '{}', "operationName" text default null, extensions jsonb default null)
  returns jsonb language sql as $stub$ select jsonb_build_object('errors', jsonb_build_array(jsonb_build_object('message', 'pg_graphql is not installed'))) $stub$;
create or replace function graphql_public.graphql("operationName" text default null, query text default null, variables jsonb default null, extensions jsonb default null)
  returns jsonb language sql as $stub$ select graphql.resolve(query, coalesce(variables, '{}'), "operationName", extensions) $stub$;
`,
    objects: () => ['graphql.resolve', 'graphql_public.graphql'],
  },
  pg_cron: {
    fixedSchema: 'cron',
    sql: () => `
create schema if not exists cron;
create table if not exists cron.job (
  jobid bigserial primary key, schedule text not null, command text not null, nodename text not null default 'localhost',
  nodeport integer not null default 5432, database text not null default current_database(), username text not null default current_user,
  active boolean not null default true, jobname text);
create unique index if not exists jobname_username_uniq on cron.job (jobname, username);
create table if not exists cron.job_run_details (
  jobid bigint, runid bigserial primary key, job_pid integer, database text, username text, command text, status text,
  return_message text, start_time timestamptz, end_time timestamptz);
create or replace function cron.schedule(schedule text, command text) returns bigint language sql as $stub$
  insert into cron.job (schedule, command) values (schedule, command) returning jobid $stub$;
create or replace function cron.schedule(job_name text, schedule text, command text) returns bigint language sql as $stub$
  insert into cron.job (jobname, schedule, command) values (job_name, schedule, command)
  on conflict (jobname, username) do update set schedule = excluded.schedule, command = excluded.command returning jobid $stub$;
create or replace function cron.unschedule(job_id bigint) returns boolean language sql as $stub$
  with d as (delete from cron.job where jobid = job_id returning 1) select count(*) > 0 from d $stub$;
create or replace function cron.unschedule(job_name text) returns boolean language sql as $stub$
  with d as (delete from cron.job where jobname = job_name returning 1) select count(*) > 0 from d $stub$;
`,
    objects: () => ['cron.job', 'cron.job_run_details', 'cron.schedule', 'cron.unschedule'],
  },
  pgsodium: {
    fixedSchema: 'pgsodium',
    sql: () => `
create schema if not exists pgsodium;
create or replace function pgsodium.randombytes_buf(size integer) returns bytea language sql as $stub$ select decode(repeat('00', size), 'hex') $stub$;
create or replace function pgsodium.crypto_secretbox_noncegen() returns bytea language sql as $stub$ select decode(repeat('00', 24), 'hex') $stub$;
create or replace function pgsodium.crypto_aead_det_encrypt(message bytea, additional bytea, key_uuid uuid, nonce bytea default null)
  returns bytea language sql as $stub$ select message $stub$;
create or replace function pgsodium.crypto_aead_det_decrypt(message bytea, additional bytea, key_uuid uuid, nonce bytea default null)
  returns bytea language sql as $stub$ select message $stub$;
`,
    objects: () => ['pgsodium.randombytes_buf', 'pgsodium.crypto_secretbox_noncegen', 'pgsodium.crypto_aead_det_encrypt', 'pgsodium.crypto_aead_det_decrypt'],
  },
  http: {
    sql: (s) => `
create schema if not exists ${q(s)};
do $stub$ begin
  create domain ${q(s)}.http_method as varchar;
  create type ${q(s)}.http_header as (field varchar, value varchar);
  create type ${q(s)}.http_response as (status integer, content_type varchar, headers ${q(s)}.http_header[], content varchar);
  create type ${q(s)}.http_request as (method ${q(s)}.http_method, uri varchar, headers ${q(s)}.http_header[], content_type varchar, content varchar);
exception when duplicate_object then null;
end $stub$;
create or replace function ${q(s)}.http(request ${q(s)}.http_request) returns ${q(s)}.http_response language sql as $stub$ select null::${q(s)}.http_response $stub$;
create or replace function ${q(s)}.http_get(uri varchar) returns ${q(s)}.http_response language sql as $stub$ select null::${q(s)}.http_response $stub$;
create or replace function ${q(s)}.http_get(uri varchar, data jsonb) returns ${q(s)}.http_response language sql as $stub$ select null::${q(s)}.http_response $stub$;
create or replace function ${q(s)}.http_post(uri varchar, content varchar, content_type varchar) returns ${q(s)}.http_response language sql as $stub$ select null::${q(s)}.http_response $stub$;
create or replace function ${q(s)}.http_post(uri varchar, data jsonb) returns ${q(s)}.http_response language sql as $stub$ select null::${q(s)}.http_response $stub$;
create or replace function ${q(s)}.http_put(uri varchar, content varchar, content_type varchar) returns ${q(s)}.http_response language sql as $stub$ select null::${q(s)}.http_response $stub$;
create or replace function ${q(s)}.http_patch(uri varchar, content varchar, content_type varchar) returns ${q(s)}.http_response language sql as $stub$ select null::${q(s)}.http_response $stub$;
create or replace function ${q(s)}.http_delete(uri varchar) returns ${q(s)}.http_response language sql as $stub$ select null::${q(s)}.http_response $stub$;
create or replace function ${q(s)}.http_header(field varchar, value varchar) returns ${q(s)}.http_header language sql as $stub$ select row(field, value)::${q(s)}.http_header $stub$;
`,
    objects: (s) => ['http', 'http_get', 'http_post', 'http_put', 'http_patch', 'http_delete', 'http_header'].map((f) => `${s}.${f}`),
  },
  pg_jsonschema: {
    sql: (s) => `
create schema if not exists ${q(s)};
create or replace function ${q(s)}.json_matches_schema(schema json, instance json) returns boolean language sql immutable as $stub$ select true $stub$;
create or replace function ${q(s)}.jsonb_matches_schema(schema json, instance jsonb) returns boolean language sql immutable as $stub$ select true $stub$;
create or replace function ${q(s)}.jsonschema_is_valid(schema json) returns boolean language sql immutable as $stub$ select true $stub$;
create or replace function ${q(s)}.jsonschema_validation_errors(schema json, instance json) returns text[] language sql immutable as $stub$ select '{}'::text[] $stub$;
`,
    objects: (s) => ['json_matches_schema', 'jsonb_matches_schema', 'jsonschema_is_valid', 'jsonschema_validation_errors'].map((f) => `${s}.${f}`),
  },
  pgjwt: {
    sql: (s) => `
create schema if not exists ${q(s)};
create or replace function ${q(s)}.url_encode(data bytea) returns text language sql immutable as $stub$ select translate(encode(data, 'base64'), E'+/=\\n', '-_') $stub$;
create or replace function ${q(s)}.url_decode(data text) returns bytea language sql immutable as $stub$ select decode(translate(data, '-_', '+/') || repeat('=', (4 - length(data) % 4) % 4), 'base64') $stub$;
create or replace function ${q(s)}.algorithm_sign(signables text, secret text, algorithm text) returns text language sql immutable as $stub$ select ''::text $stub$;
create or replace function ${q(s)}.sign(payload json, secret text, algorithm text default 'HS256') returns text language sql immutable as $stub$ select ''::text $stub$;
create or replace function ${q(s)}.verify(token text, secret text, algorithm text default 'HS256') returns table (header json, payload json, valid boolean)
  language sql immutable as $stub$ select null::json, null::json, false $stub$;
`,
    objects: (s) => ['url_encode', 'url_decode', 'algorithm_sign', 'sign', 'verify'].map((f) => `${s}.${f}`),
  },
  wrappers: {
    // Foreign data wrapper handlers are C functions: no SQL stub can stand in for them, so only
    // the extension's name is accepted; `create foreign data wrapper` on them still fails.
    sql: (s) => `create schema if not exists ${q(s)};`,
    objects: () => [],
  },
  vector: {
    // pgvector on a server without it: a variable-length type with a typmod (`vector(1536)`),
    // the distance operators and functions, and hnsw/ivfflat access methods built on btree's
    // handler with opclasses whose comparison is a constant, so indexes build.
    sql: (s) => {
      const t = `${q(s)}.vector`;
      return `
create schema if not exists ${q(s)};
do $stub$ begin
  create type ${t};
  create function ${q(s)}.vector_in(cstring, oid, integer) returns ${t} language internal immutable strict as 'varcharin';
  create function ${q(s)}.vector_out(${t}) returns cstring language internal immutable strict as 'varcharout';
  create function ${q(s)}.vector_typmod_in(cstring[]) returns integer language internal immutable strict as 'varchartypmodin';
  create type ${t} (input = ${q(s)}.vector_in, output = ${q(s)}.vector_out, typmod_in = ${q(s)}.vector_typmod_in, internallength = variable, storage = extended);
  create cast (${t} as real[]) with inout;
  create cast (real[] as ${t}) with inout as assignment;
  create cast (double precision[] as ${t}) with inout as assignment;
  create cast (numeric[] as ${t}) with inout as assignment;
  create cast (integer[] as ${t}) with inout as assignment;
  create function ${q(s)}.l2_distance(${t}, ${t}) returns double precision language sql immutable strict as 'select 0::float8';
  create function ${q(s)}.cosine_distance(${t}, ${t}) returns double precision language sql immutable strict as 'select 0::float8';
  create function ${q(s)}.inner_product(${t}, ${t}) returns double precision language sql immutable strict as 'select 0::float8';
  create function ${q(s)}.negative_inner_product(${t}, ${t}) returns double precision language sql immutable strict as 'select 0::float8';
  create function ${q(s)}.vector_dims(${t}) returns integer language sql immutable strict as 'select 0';
  create function ${q(s)}.vector_cmp(${t}, ${t}) returns integer language sql immutable strict as 'select 0';
  create operator ${q(s)}.<-> (leftarg = ${t}, rightarg = ${t}, function = ${q(s)}.l2_distance);
  create operator ${q(s)}.<=> (leftarg = ${t}, rightarg = ${t}, function = ${q(s)}.cosine_distance);
  create operator ${q(s)}.<#> (leftarg = ${t}, rightarg = ${t}, function = ${q(s)}.negative_inner_product);
  create access method hnsw type index handler pg_catalog.hashhandler;
  create access method ivfflat type index handler pg_catalog.hashhandler;
  create operator class ${q(s)}.vector_l2_ops default for type ${t} using hnsw as function 1 ${q(s)}.vector_cmp(${t}, ${t});
  create operator class ${q(s)}.vector_cosine_ops for type ${t} using hnsw as function 1 ${q(s)}.vector_cmp(${t}, ${t});
  create operator class ${q(s)}.vector_ip_ops for type ${t} using hnsw as function 1 ${q(s)}.vector_cmp(${t}, ${t});
  create operator class ${q(s)}.vector_l2_ops default for type ${t} using ivfflat as function 1 ${q(s)}.vector_cmp(${t}, ${t});
  create operator class ${q(s)}.vector_cosine_ops for type ${t} using ivfflat as function 1 ${q(s)}.vector_cmp(${t}, ${t});
  create operator class ${q(s)}.vector_ip_ops for type ${t} using ivfflat as function 1 ${q(s)}.vector_cmp(${t}, ${t});
exception when duplicate_object then null;
end $stub$;
`;
    },
    objects: (s) =>
      [
        'vector_in',
        'vector_out',
        'vector_typmod_in',
        'l2_distance',
        'cosine_distance',
        'inner_product',
        'negative_inner_product',
        'vector_dims',
        'vector_cmp',
      ].map((f) => `${s}.${f}`),
  },
};
