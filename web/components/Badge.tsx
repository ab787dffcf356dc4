import type { ComponentChildren } from 'preact';

export type Tone = 'ok' | 'warn' | 'bad' | 'info' | 'muted';

export const Badge = ({ tone, children, title }: { tone: Tone; children: ComponentChildren; title?: string }) => (
  <span class={`badge badge-${tone}`} title={title}>
    {children}
  </span>
);

const PHASE_TONES: Record<string, Tone> = {
  applying: 'info',
  soaking: 'info',
  paused: 'warn',
  rollingBack: 'bad',
  rolledBack: 'bad',
  completed: 'ok',
  superseded: 'muted',
  cancelled: 'muted',
};
export const phaseTone = (phase: string): Tone => PHASE_TONES[phase] ?? 'muted';

/** A Kubernetes-style condition as a badge: the good state of each type is green. */
export function conditionTone(type: string, status: string): Tone {
  if (status === 'Unknown') return 'muted';
  const goodWhenTrue = type === 'Complete' || type === 'Progressing';
  return (status === 'True') === goodWhenTrue ? (type === 'Progressing' ? 'info' : 'ok') : 'bad';
}
