"use client";
import { useEffect, useState } from 'react';

export function SecretList() {
  const [names, setNames] = useState<string[]>([]);
  useEffect(() => {
    fetch('/api/secrets').then((r) => r.json()).then(setNames);
  }, []);
  return <ul>{names.map((n) => <li key={n}>{n}</li>)}</ul>;
}
