/** A small SSOT schema (a service with a name and a port), for tests that need one governed kind of file. */
export const SVC_SCHEMA = JSON.stringify({
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://odooops.dev/schemas/test/svc.schema.json',
  description: 'A service.',
  type: 'object',
  additionalProperties: false,
  properties: { name: { description: 'Name.', type: 'string' }, port: { description: 'Port.', type: 'integer' } },
});
