import editorSchemas from './editor-schemas.ts';
import schema from './schema.ts';
import schemaCoverage from './schema-coverage.ts';

export default [editorSchemas, schema, schemaCoverage];
