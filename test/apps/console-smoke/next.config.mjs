// The smoke test's console: a tiny Next.js app with the shapes the real console has.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** @type {import('next').NextConfig} */
const config = {
  // next is installed in the repository's node_modules, two levels up.
  turbopack: { root: path.resolve(here, '../../..') },
  outputFileTracingRoot: path.resolve(here, '../../..'),
  async redirects() {
    return [
      { source: '/old-logs', destination: '/logs', permanent: false },
      { source: '/docs', destination: 'https://docs.example.com/console', permanent: false },
      { source: '/loop-a', destination: '/loop-b', permanent: false },
      { source: '/loop-b', destination: '/loop-a', permanent: false },
    ];
  },
};

export default config;
