// Tabs as WAI-ARIA describes them: one tab stop, arrow keys (and Home/End) move between tabs.
import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';

export interface Tab {
  id: string;
  label: string;
  panel: () => ComponentChildren;
}

export function Tabs({ label, tabs, idPrefix }: { label: string; tabs: Tab[]; idPrefix: string }) {
  const [current, setCurrent] = useState(tabs[0]?.id ?? '');
  const list = useRef<HTMLDivElement>(null);
  const select = (index: number) => {
    const tab = tabs[(index + tabs.length) % tabs.length];
    setCurrent(tab.id);
    list.current?.querySelector<HTMLElement>(`#${idPrefix}-tab-${tab.id}`)?.focus();
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const at = tabs.findIndex((t) => t.id === current);
    const moves: Record<string, number> = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    select(moves[event.key]);
  };
  const shown = tabs.find((t) => t.id === current) ?? tabs[0];
  return (
    <div class="tabs">
      <div class="tab-list" role="tablist" aria-label={label} ref={list} onKeyDown={onKeyDown}>
        {tabs.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`${idPrefix}-tab-${t.id}`}
            aria-selected={t.id === shown.id}
            aria-controls={`${idPrefix}-panel`}
            tabIndex={t.id === shown.id ? 0 : -1}
            onClick={() => setCurrent(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div class="tab-panel" role="tabpanel" id={`${idPrefix}-panel`} aria-labelledby={`${idPrefix}-tab-${shown.id}`}>
        {shown.panel()}
      </div>
    </div>
  );
}
