import fs from 'node:fs';

/** What the gates take from a GitHub Actions run (the CLI reads the environment; policies never do). */
export interface ActionsContext {
  /** REST API base; `GITHUB_API_URL` (GitHub Enterprise too). */
  apiUrl: string;
  /** `GITHUB_SERVER_URL`, for links to lines. */
  serverUrl?: string;
  /** `owner/name`. */
  repository?: string;
  /** The commit the findings belong to: `pull_request.head.sha` on pull requests, else `GITHUB_SHA`. */
  headSha?: string;
  /** The pull request's base: `pull_request.base.sha`, else `origin/$GITHUB_BASE_REF`. */
  base?: string;
  token?: string;
  /** The workflow run's page, for the check run's details link. */
  runUrl?: string;
}

interface EventPayload {
  pull_request?: { head?: { sha?: unknown }; base?: { sha?: unknown } };
}

export function readActionsContext(env: NodeJS.ProcessEnv): ActionsContext {
  const event = readEvent(env.GITHUB_EVENT_PATH);
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const ctx: ActionsContext = { apiUrl: (str(env.GITHUB_API_URL) ?? 'https://api.github.com').replace(/\/+$/, '') };
  const serverUrl = str(env.GITHUB_SERVER_URL)?.replace(/\/+$/, '');
  const repository = str(env.GITHUB_REPOSITORY);
  const headSha = str(event?.pull_request?.head?.sha) ?? str(env.GITHUB_SHA);
  const baseRef = str(env.GITHUB_BASE_REF);
  const base = str(event?.pull_request?.base?.sha) ?? (baseRef ? `origin/${baseRef}` : undefined);
  const token = str(env.GITHUB_TOKEN) ?? str(env.GH_TOKEN);
  if (serverUrl) ctx.serverUrl = serverUrl;
  if (repository) ctx.repository = repository;
  if (headSha) ctx.headSha = headSha;
  if (base) ctx.base = base;
  if (token) ctx.token = token;
  const runId = str(env.GITHUB_RUN_ID);
  if (serverUrl && repository && runId) ctx.runUrl = `${serverUrl}/${repository}/actions/runs/${runId}`;
  return ctx;
}

function readEvent(file: string | undefined): EventPayload | undefined {
  if (!file) return undefined;
  try {
    const data: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    return data && typeof data === 'object' ? data : undefined;
  } catch {
    return undefined;
  }
}

/** Replaces every occurrence of each secret with `***`. */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('***');
  return out;
}
