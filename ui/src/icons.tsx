// Icons drawn inline as SVG, never taken from a font: a phone or till may lack an emoji font (Debian's
// Chromium showed "⛔" as an empty box). Decorative: the text beside each icon says what it means.
import type { ReactElement } from "react";

const STROKE = { fill: "none", stroke: "currentColor", strokeWidth: 2.5, strokeLinecap: "round", strokeLinejoin: "round" } as const;

const SHAPES = {
  blocked: (<><circle cx="12" cy="12" r="10" fill="currentColor" /><rect x="6" y="10.5" width="12" height="3" fill="#fff" /></>),
  warning: (<><path d="M12 2.5 1.5 21h21z" fill="currentColor" /><rect x="11" y="9" width="2" height="6.5" fill="#fff" /><rect x="11" y="17" width="2" height="2" fill="#fff" /></>),
  offline: (<><rect x="7" y="2.5" width="10" height="19" rx="2" {...STROKE} strokeWidth={2} /><path d="M3 3l18 18" {...STROKE} /></>),
  pending: <path d="M6 2.5h12M6 21.5h12M7 2.5v3.5l5 6 5-6V2.5M7 21.5V18l5-6 5 6v3.5" {...STROKE} strokeWidth={2} />,
  sent: <path d="M3 12h16M13 6l6 6-6 6" {...STROKE} />,
  check: <path d="M4 12.5l5 5L20 6.5" {...STROKE} strokeWidth={3} />,
  cross: <path d="M6 6l12 12M18 6 6 18" {...STROKE} strokeWidth={3} />,
  globe: (<><circle cx="12" cy="12" r="9.5" {...STROKE} strokeWidth={2} /><path d="M2.5 12h19M12 2.5c-3.2 3.4-3.2 15.6 0 19M12 2.5c3.2 3.4 3.2 15.6 0 19" {...STROKE} strokeWidth={2} /></>),
  attention: (<><circle cx="12" cy="12" r="10" fill="currentColor" /><rect x="11" y="6" width="2" height="8" fill="#fff" /><rect x="11" y="16" width="2" height="2" fill="#fff" /></>),
} satisfies Record<string, ReactElement>;

export type IconName = keyof typeof SHAPES;

export function Icon({ name }: { name: IconName }) {
  return (
    <svg className="icon" viewBox="0 0 24 24" width="1.1em" height="1.1em" aria-hidden="true" focusable="false" data-icon={name}>
      {SHAPES[name]}
    </svg>
  );
}
