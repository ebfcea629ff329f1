import dataSources from './data-sources.ts';
import editorSchemas from './editor-schemas.ts';
import references from './references.ts';
import schema from './schema.ts';
import schemaCoverage from './schema-coverage.ts';
import uniqueIds from './unique-ids.ts';

export default [dataSources, editorSchemas, references, schema, schemaCoverage, uniqueIds];
