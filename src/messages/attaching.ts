// The progress note while a watched CSI volume is being attached: for the MetaCentrum home over
// csi-sshfs "attaching your home from storage server X", for other drivers the volume's name.
// Plain text only, in English and Czech, with one English sentence for the Event's message.
import type { LocalizedText } from '../diagnosis/annotation.js';
import type { AttachmentEvidence } from '../diagnosis/types.js';
import { value } from './format.js';

export interface AttachingNote {
  title: LocalizedText;
  detail: LocalizedText;
  sentence: string;
}

export function attachingNote(a: Pick<AttachmentEvidence, 'driver' | 'pv' | 'storageServer'>): AttachingNote {
  const sshfs = /sshfs/i.test(a.driver);
  const server = value(a.storageServer, 253);
  const pv = value(a.pv, 253);
  if (sshfs) {
    const from = server ? ` from storage server ${server}` : '';
    const z = server ? ` z úložného serveru ${server}` : '';
    return {
      title: { en: 'Attaching your home directory', cs: 'Připojuje se domovský adresář' },
      detail: {
        en: `Attaching your home${from}. This usually takes a few seconds; please wait.`,
        cs: `Připojuje se váš domovský adresář${z}. Obvykle to trvá několik sekund; vydržte prosím.`,
      },
      sentence: `Attaching your home${from} …`,
    };
  }
  return {
    title: { en: 'Attaching a volume', cs: 'Připojuje se svazek' },
    detail: {
      en: `Attaching the volume "${pv}" to the node. This usually takes a few seconds; please wait.`,
      cs: `Svazek „${pv}“ se připojuje k uzlu. Obvykle to trvá několik sekund; vydržte prosím.`,
    },
    sentence: `Attaching the volume ${pv} …`,
  };
}
