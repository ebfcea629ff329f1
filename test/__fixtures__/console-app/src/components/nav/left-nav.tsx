'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

const sections = [
  {
    title: 'Operate',
    items: [
      { href: '/', label: 'Overview' },
      { href: '/logs', label: 'Logs' },
      { href: '/integrations', label: 'Integrations' },
      { href: '/platform/digitalocean', label: 'DigitalOcean' },
      { href: '/control-plane', label: 'Control Plane' },
      { href: '/modules', label: 'Modules' },
    ],
  },
  {
    title: 'Observe',
    items: [
      { href: '/metrics', label: 'Metrics' },
      { href: '/observability/mail-catcher', label: 'Mail Catcher' },
      { href: '/advisor', label: 'Advisor' },
    ],
  },
  {
    title: 'Resources',
    items: [{ href: '/resources/starters', label: 'Starters' }],
  },
];

export function LeftNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Console">
      {sections.map((s) => (
        <section key={s.title}>
          <h2>{s.title}</h2>
          {s.items.map((i) => (
            <Link key={i.href} href={i.href} aria-current={pathname === i.href ? 'page' : undefined}>
              {i.label}
            </Link>
          ))}
        </section>
      ))}
      <Link href="/settings/secrets">Secrets</Link>
    </nav>
  );
}
