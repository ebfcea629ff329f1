import type { ReactNode } from 'react';
import { LeftNav } from '@/components/nav/left-nav';

export default function ConsoleLayout({ children }: { children: ReactNode }) {
  return (
    <div className="console">
      <LeftNav />
      <main>{children}</main>
    </div>
  );
}
