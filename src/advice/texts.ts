// The advisor's own wording (English and Czech). Suggestions are always phrased by us from a verified
// request, never by the LLM, so a user reads nothing that the verifier did not check.
import type { Advice, AdviceRequest, LocalizedText } from '../diagnosis/annotation.js';
import type { ResourceMap } from '../diagnosis/types.js';
import { GIB } from './fit.js';

const num = (v: number) => (Number.isInteger(v) ? String(v) : String(Math.round(v * 10) / 10));

function gpuText(req: Pick<AdviceRequest, 'gpu' | 'gpu_count'>): LocalizedText {
  if (req.gpu === 'none' || req.gpu_count === 0) return { en: 'no GPU', cs: 'bez GPU' };
  return { en: `${req.gpu_count} × ${req.gpu}`, cs: `${req.gpu_count} × ${req.gpu}` };
}

export function suggestionAdvice(req: AdviceRequest): Advice {
  const gpu = gpuText(req);
  return {
    en: `Ask for ${num(req.cpu)} CPU, ${num(req.memory)} GiB of memory and ${gpu.en}: this would start now.`,
    cs: `Požádejte o ${num(req.cpu)} CPU, ${num(req.memory)} GiB paměti a ${gpu.cs}: to by se spustilo hned.`,
    request: { ...req },
  };
}

/** For `scheduling.unsatisfiable`: what the largest node could ever give, per short resource. */
export function impossibleAdvice(largest: ResourceMap): Advice {
  const parts: string[] = [];
  for (const [name, v] of Object.entries(largest)) {
    if (name === 'cpu') parts.push(`${num(v)} CPU`);
    else if (name === 'memory') parts.push(`${num(v / GIB)} GiB`);
    else parts.push(`${num(v)} × ${name}`);
  }
  const list = parts.join(', ') || '0';
  return {
    en: `No node in this cluster could ever run this request; the most any suitable node offers is ${list}.`,
    cs: `Tento požadavek nemůže spustit žádný uzel clusteru; nejvíc, co vhodný uzel nabízí, je ${list}.`,
  };
}

export function freeNowAdvice(req: AdviceRequest): Advice {
  return {
    en: 'The resources you asked for are free again right now; starting once more should work.',
    cs: 'Požadované prostředky jsou teď opět volné; nové spuštění by mělo projít.',
    request: { ...req },
  };
}

export const NOTHING_FITS: Advice = {
  en: 'Nothing within the offered options would start right now; please try again later or ask support.',
  cs: 'Nic z nabízených možností by se teď nespustilo; zkuste to prosím později nebo se obraťte na podporu.',
};
