// Icons drawn inline as SVG, never taken from a font: a phone may lack an emoji font (Debian's Chromium
// showed "⛔" as an empty box). Decorative: the text beside each icon says what it means.
import type { ReactElement } from "react";

const STROKE = { fill: "none", stroke: "currentColor", strokeWidth: 2.5, strokeLinecap: "round", strokeLinejoin: "round" } as const;

const SHAPES = {
  blocked: (<><circle cx="12" cy="12" r="10" fill="currentColor" /><rect x="6" y="10.5" width="12" height="3" fill="#fff" /></>),
  warning: (<><path d="M12 2.5 1.5 21h21z" fill="currentColor" /><rect x="11" y="9" width="2" height="6.5" fill="#fff" /><rect x="11" y="17" width="2" height="2" fill="#fff" /></>),
  offline: (<><rect x="7" y="2.5" width="10" height="19" rx="2" {...STROKE} strokeWidth={2} /><path d="M3 3l18 18" {...STROKE} /></>),
  check: <path d="M4 12.5l5 5L20 6.5" {...STROKE} strokeWidth={3} />,
} satisfies Record<string, ReactElement>;

export type IconName = keyof typeof SHAPES;

export function Icon({ name }: { name: IconName }) {
  return (
    <svg className="icon" viewBox="0 0 24 24" width="1.1em" height="1.1em" aria-hidden="true" focusable="false" data-icon={name}>
      {SHAPES[name]}
    </svg>
  );
}
