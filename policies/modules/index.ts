import outsideWaves from './outside-waves.ts';

export default [outsideWaves];
