// Looks safe, is not: res.json() throws on an empty body.
export const safeJson = async (res: Response) => {
  if (!res.ok) return null;
  return res.json();
};
