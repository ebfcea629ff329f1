/** Parses a response body as JSON; an empty or non-JSON body gives undefined instead of throwing. */
export async function safeJson<T>(res: Response): Promise<T | undefined> {
  const text = await res.text();
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
