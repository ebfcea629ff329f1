import yamlWellformed from './yaml-wellformed.ts';

export default [yamlWellformed];
