/** A listing item that is not what the API documents: names the page and the field. */
export class BadPageError extends Error {
  override name = 'BadPageError';
}

type Item = Record<string, unknown>;
type Get = (field: string) => unknown;

interface Kind {
  /** The key of the list in each page's body. */
  listKey: string;
  /** Type of `id`. */
  id: 'integer' | 'string';
  table: string;
  /** Columns written (besides raw, ingest_run_id, synced_at) with their SQL types. */
  columns: Array<[string, string]>;
  row(get: Get, item: Item): Record<string, unknown>;
  /** Whether items that disappear are marked gone (false for history such as actions). */
  tracksGone: boolean;
}

const str = (get: Get, f: string): string => {
  const v = get(f);
  if (typeof v !== 'string' || v === '') throw new Error(f);
  return v;
};
const int = (get: Get, f: string): number => {
  const v = get(f);
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new Error(f);
  return v;
};
const optStr = (get: Get, f: string): string | null => {
  const v = get(f);
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new Error(f);
  return v;
};
const strList = (get: Get, f: string): string[] => {
  const v = get(f) ?? [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new Error(f);
  return v as string[];
};
const intList = (get: Get, f: string): number[] => {
  const v = get(f) ?? [];
  if (!Array.isArray(v) || v.some((x) => !Number.isInteger(x))) throw new Error(f);
  return v as number[];
};

export const KINDS: Record<string, Kind> = {
  droplets: {
    listKey: 'droplets',
    id: 'integer',
    table: 'ops.do_droplets',
    tracksGone: true,
    columns: [
      ['name', 'text'],
      ['status', 'text'],
      ['region', 'text'],
      ['size_slug', 'text'],
      ['memory_mb', 'integer'],
      ['vcpus', 'integer'],
      ['public_ipv4', 'inet'],
      ['tags', 'text[]'],
      ['created_at', 'timestamptz'],
    ],
    row: (get, item) => {
      const v4 = ((item.networks as { v4?: unknown } | undefined)?.v4 ?? []) as unknown;
      if (!Array.isArray(v4)) throw new Error('networks.v4');
      const pub = v4.find((n) => (n as Item)?.type === 'public') as Item | undefined;
      return {
        name: str(get, 'name'),
        status: str(get, 'status'),
        region: str(get, 'region.slug'),
        size_slug: str(get, 'size_slug'),
        memory_mb: int(get, 'memory'),
        vcpus: int(get, 'vcpus'),
        public_ipv4: typeof pub?.ip_address === 'string' ? pub.ip_address : null,
        tags: strList(get, 'tags'),
        created_at: str(get, 'created_at'),
      };
    },
  },
  databases: {
    listKey: 'databases',
    id: 'string',
    table: 'ops.do_databases',
    tracksGone: true,
    columns: [
      ['name', 'text'],
      ['engine', 'text'],
      ['version', 'text'],
      ['status', 'text'],
      ['region', 'text'],
      ['num_nodes', 'integer'],
      ['created_at', 'timestamptz'],
    ],
    row: (get) => ({
      name: str(get, 'name'),
      engine: str(get, 'engine'),
      version: str(get, 'version'),
      status: str(get, 'status'),
      region: str(get, 'region'),
      num_nodes: int(get, 'num_nodes'),
      created_at: str(get, 'created_at'),
    }),
  },
  firewalls: {
    listKey: 'firewalls',
    id: 'string',
    table: 'ops.do_firewalls',
    tracksGone: true,
    columns: [
      ['name', 'text'],
      ['status', 'text'],
      ['droplet_ids', 'bigint[]'],
      ['created_at', 'timestamptz'],
    ],
    row: (get) => ({
      name: str(get, 'name'),
      status: str(get, 'status'),
      droplet_ids: intList(get, 'droplet_ids'),
      created_at: str(get, 'created_at'),
    }),
  },
  actions: {
    listKey: 'actions',
    id: 'integer',
    table: 'ops.do_actions',
    tracksGone: false,
    columns: [
      ['type', 'text'],
      ['status', 'text'],
      ['resource_type', 'text'],
      ['resource_id', 'bigint'],
      ['started_at', 'timestamptz'],
      ['completed_at', 'timestamptz'],
    ],
    row: (get) => {
      const rid = get('resource_id');
      if (rid !== undefined && rid !== null && !Number.isInteger(rid)) throw new Error('resource_id');
      return {
        type: str(get, 'type'),
        status: str(get, 'status'),
        resource_type: optStr(get, 'resource_type'),
        resource_id: rid ?? null,
        started_at: optStr(get, 'started_at'),
        completed_at: optStr(get, 'completed_at'),
      };
    },
  },
};

/** Reads one page body into rows; any deviation names the page and the field. */
export function readPage(kindName: string, kind: Kind, page: number, url: string, text: string): { rows: Record<string, unknown>[]; next?: string } {
  const where = `${kindName} page ${page} (GET ${url})`;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new BadPageError(
      `${where}: the body is not JSON (${JSON.stringify(text.slice(0, 60))}…); the API or a proxy answered something else — nothing was written`,
    );
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new BadPageError(`${where}: the body is not a JSON object — nothing was written`);
  }
  const list = (body as Item)[kind.listKey];
  if (!Array.isArray(list)) {
    throw new BadPageError(
      `${where}: field \`${kind.listKey}\` is ${list === undefined ? 'missing' : `not a list (${JSON.stringify(list)})`} — nothing was written`,
    );
  }
  const rows = list.map((raw, i) => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      throw new BadPageError(`${where}: \`${kind.listKey}[${i}]\` is not an object — nothing was written`);
    }
    const item = raw as Item;
    const get: Get = (field) => field.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Item)[k] : undefined), item);
    const id = item.id;
    const idOk = kind.id === 'integer' ? Number.isSafeInteger(id) : typeof id === 'string' && id !== '';
    if (!idOk) {
      throw new BadPageError(
        `${where}: \`${kind.listKey}[${i}].id\` is ${id === undefined ? 'missing' : `not ${kind.id === 'integer' ? 'an integer' : 'a string'} (${JSON.stringify(id)})`} — nothing was written`,
      );
    }
    try {
      return { id, ...kind.row(get, item), raw: item };
    } catch (e) {
      const field = (e as Error).message;
      throw new BadPageError(
        `${where}: \`${kind.listKey}[${i}].${field}\` (id ${String(id)}) is missing or has the wrong type (${JSON.stringify(get(field))}) — nothing was written`,
      );
    }
  });
  const links = (body as Item).links;
  let next: unknown;
  if (links !== undefined && links !== null) {
    if (typeof links !== 'object') throw new BadPageError(`${where}: field \`links\` is not an object — nothing was written`);
    const pages = (links as Item).pages;
    if (pages !== undefined && pages !== null) {
      if (typeof pages !== 'object') throw new BadPageError(`${where}: field \`links.pages\` is not an object — nothing was written`);
      next = (pages as Item).next;
      if (next !== undefined && next !== null && typeof next !== 'string') {
        throw new BadPageError(`${where}: field \`links.pages.next\` is not a URL (${JSON.stringify(next)}) — nothing was written`);
      }
    }
  }
  return { rows, next: typeof next === 'string' && next !== '' ? next : undefined };
}

export type { Kind };
