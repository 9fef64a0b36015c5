// Every category's title and detail in English and Czech. Parameters are inserted as plain text;
// nothing here is HTML and no reader may render it as HTML.
import type { Lang } from '../diagnosis/annotation.js';
import type { Category, DiagnosisParams } from '../diagnosis/types.js';
import { formatResources, resourceName, value } from './format.js';

export interface TextContext {
  p: DiagnosisParams;
  contact: string;
  lang: Lang;
}

export interface Text {
  title: string;
  detail: string;
}

type Template = (c: TextContext) => Text;

/** `"x"` in English, `„x“` in Czech. */
function q(v: unknown, lang: Lang): string {
  const s = value(v);
  return lang === 'cs' ? `„${s}“` : `"${s}"`;
}

function has(v: unknown): boolean {
  return value(v) !== '';
}

function names(list: readonly string[] | undefined, lang: Lang): string {
  return (list ?? []).map((n) => resourceName(value(n, 80), lang)).join(', ');
}

/** "You asked for 64 CPU; the largest node offers at most 32 CPU." for the short resources. */
function shortage(p: DiagnosisParams, lang: Lang, limit: 'allocatable' | 'free'): string {
  const short = (p.short ?? []).filter((n) => typeof p.requested?.[n] === 'number');
  if (short.length === 0) return '';
  const asked = formatResources(p.requested, lang, short);
  const bound = limit === 'allocatable' ? p.largestAllocatable : p.largestFree;
  const max = bound
    ? formatResources(
        bound,
        lang,
        short.filter((n) => typeof bound[n] === 'number'),
      )
    : '';
  if (lang === 'cs') {
    if (!max) return ` Požadovali jste ${asked}.`;
    return limit === 'allocatable'
      ? ` Požadovali jste ${asked}, ale největší uzel nabízí nejvýše ${max}.`
      : ` Požadovali jste ${asked}, ale žádný uzel teď nemá volných víc než ${max}.`;
  }
  if (!max) return ` You asked for ${asked}.`;
  return limit === 'allocatable'
    ? ` You asked for ${asked}, but the largest node offers at most ${max}.`
    : ` You asked for ${asked}, but the most any node has free right now is ${max}.`;
}

/** An error text as a sentence of its own, without doubling its final period. */
function said(v: unknown, max: number): string {
  return value(v, max).replace(/[\s.]+$/, '');
}

function cause(p: DiagnosisParams, lang: Lang): string {
  if (!has(p.cause)) return '';
  return lang === 'cs' ? ` Chyba: ${said(p.cause, 300)}.` : ` Error: ${said(p.cause, 300)}.`;
}

/** ` (Reason: message)` of the evidence, when there is one. */
function warned(p: DiagnosisParams): string {
  if (!has(p.reason)) return '';
  return ` (${value(p.reason, 80)}${has(p.message) ? `: ${said(p.message, 200)}` : ''})`;
}

function image(p: DiagnosisParams, lang: Lang): string {
  if (has(p.image)) return lang === 'cs' ? `Obraz ${q(p.image, lang)}` : `The image ${q(p.image, lang)}`;
  return lang === 'cs' ? 'Obraz notebooku' : "The notebook's image";
}

function registry(p: DiagnosisParams, lang: Lang): string {
  if (!has(p.registry)) return lang === 'cs' ? 'registr obrazů' : 'the image registry';
  return lang === 'cs' ? `registr ${q(p.registry, lang)}` : `the registry ${q(p.registry, lang)}`;
}

export const TEXTS: Readonly<Record<Category, Readonly<Record<Lang, Template>>>> = {
  'image.pulling': {
    en: ({ p }) => ({
      title: 'Downloading the image',
      detail: `${image(p, 'en')} is still being downloaded to the node. Large images can take several minutes; please wait, the server will start on its own.`,
    }),
    cs: ({ p }) => ({
      title: 'Stahuje se obraz',
      detail: `${image(p, 'cs')} se stále stahuje na uzel. Velké obrazy se mohou stahovat i několik minut; vydržte prosím, server se spustí sám.`,
    }),
  },
  'image.not_found': {
    en: ({ p }) => ({
      title: 'The image does not exist',
      detail: `${image(p, 'en')} does not exist in ${registry(p, 'en')}. Check the image name and tag in the spawn form and start the server again.`,
    }),
    cs: ({ p }) => ({
      title: 'Obraz neexistuje',
      detail: `${image(p, 'cs')} v ${registry(p, 'cs').replace(/^registr/, 'registru')} neexistuje. Zkontrolujte ve formuláři název a značku (tag) obrazu a spusťte server znovu.`,
    }),
  },
  'image.access_denied': {
    en: ({ p, contact }) => ({
      title: 'Access to the image was denied',
      detail: `${registry(p, 'en').replace(/^t/, 'T')} refused access to ${has(p.image) ? `the image ${q(p.image, 'en')}` : 'the image'}. The image may be private, or the credentials are missing or wrong. Choose a public image or write to ${contact}.`,
    }),
    cs: ({ p, contact }) => ({
      title: 'Přístup k obrazu byl odepřen',
      detail: `${registry(p, 'cs').replace(/^r/, 'R')} odmítl přístup k obrazu${has(p.image) ? ` ${q(p.image, 'cs')}` : ''}. Obraz je možná soukromý, nebo chybí či nesouhlasí přihlašovací údaje. Zvolte veřejný obraz nebo napište na ${contact}.`,
    }),
  },
  'image.invalid_name': {
    en: ({ p }) => ({
      title: 'Invalid image name',
      detail: `${has(p.image) ? q(p.image, 'en') : 'The image name'} is not a valid image name. Use the form registry/name:tag in lowercase letters, for example quay.io/jupyter/scipy-notebook:latest.`,
    }),
    cs: ({ p }) => ({
      title: 'Neplatný název obrazu',
      detail: `${has(p.image) ? q(p.image, 'cs') : 'Zadaný název'} není platný název obrazu. Použijte tvar registr/název:značka malými písmeny, například quay.io/jupyter/scipy-notebook:latest.`,
    }),
  },
  'image.registry_unreachable': {
    en: ({ p, contact }) => ({
      title: 'The image registry cannot be reached',
      detail: `${registry(p, 'en').replace(/^t/, 'T')} cannot be reached right now, so ${has(p.image) ? `the image ${q(p.image, 'en')}` : 'the image'} cannot be downloaded. We keep trying for a while; if it does not recover, try again later or write to ${contact}.`,
    }),
    cs: ({ p, contact }) => ({
      title: 'Registr obrazů je nedostupný',
      detail: `${registry(p, 'cs').replace(/^r/, 'R')} je teď nedostupný, a proto nelze stáhnout obraz${has(p.image) ? ` ${q(p.image, 'cs')}` : ''}. Ještě chvíli to budeme zkoušet; pokud se to nezlepší, zkuste to později nebo napište na ${contact}.`,
    }),
  },
  'volume.pvc_not_found': {
    en: ({ p, contact }) => ({
      title: 'The storage volume does not exist',
      detail: `The volume (persistent volume claim) ${has(p.pvc) ? `${q(p.pvc, 'en')} ` : ''}does not exist, so the notebook cannot start. Choose an existing volume in the spawn form, or write to ${contact}.`,
    }),
    cs: ({ p, contact }) => ({
      title: 'Úložiště neexistuje',
      detail: `Požadovaný svazek (PVC)${has(p.pvc) ? ` ${q(p.pvc, 'cs')}` : ''} neexistuje, a proto se notebook nemůže spustit. Ve formuláři zvolte existující svazek, nebo napište na ${contact}.`,
    }),
  },
  'volume.pvc_pending': {
    en: ({ p, contact }) => ({
      title: 'Waiting for the storage volume',
      detail: `The volume${has(p.pvc) ? ` ${q(p.pvc, 'en')}` : ''} is not ready yet: it is still being created or bound. We wait a little longer; if it does not become ready, write to ${contact}.`,
    }),
    cs: ({ p, contact }) => ({
      title: 'Čeká se na úložiště',
      detail: `Svazek${has(p.pvc) ? ` ${q(p.pvc, 'cs')}` : ''} ještě není připraven: stále se vytváří nebo přiřazuje. Ještě chvíli počkáme; pokud připraven nebude, napište na ${contact}.`,
    }),
  },
  'volume.sshfs_attach_failed': {
    en: ({ p, contact }) => ({
      title: 'Your home directory could not be attached',
      detail: `There is a problem with the sshfs storage driver: it could not attach the volume${has(p.volume) ? ` ${q(p.volume, 'en')}` : ''}. This is nothing you can fix yourself; please write to ${contact} and mention the volume name.`,
    }),
    cs: ({ p, contact }) => ({
      title: 'Domovský adresář se nepodařilo připojit',
      detail: `Nastal problém s ovladačem úložiště sshfs: nepodařilo se mu připojit svazek${has(p.volume) ? ` ${q(p.volume, 'cs')}` : ''}. Sami to vyřešit nemůžete; napište prosím na ${contact} a uveďte název svazku.`,
    }),
  },
  'volume.sshfs_mount_failed': {
    en: ({ p, contact }) => {
      const from = has(p.storageServer)
        ? ` from the storage server ${q(p.storageServer, 'en')}`
        : ' over sshfs';
      const who = has(p.storageUser) ? ` (user ${q(p.storageUser, 'en')})` : '';
      const answer = has(p.cause) ? ` The server answered: ${said(p.cause, 200)}.` : '';
      return {
        title: 'Your home directory could not be mounted',
        detail: `Your home directory${has(p.volume) ? ` (volume ${q(p.volume, 'en')})` : ''} could not be mounted${from}${who}.${answer} This is nothing you can fix yourself; please write to ${contact} so that the administrators can check your home on that server.`,
      };
    },
    cs: ({ p, contact }) => {
      const from = has(p.storageServer) ? ` z úložného serveru ${q(p.storageServer, 'cs')}` : ' přes sshfs';
      const who = has(p.storageUser) ? ` (uživatel ${q(p.storageUser, 'cs')})` : '';
      const answer = has(p.cause) ? ` Server odpověděl: ${said(p.cause, 200)}.` : '';
      return {
        title: 'Domovský adresář se nepodařilo připojit',
        detail: `Váš domovský adresář${has(p.volume) ? ` (svazek ${q(p.volume, 'cs')})` : ''} se nepodařilo připojit${from}${who}.${answer} Sami to vyřešit nemůžete; napište prosím na ${contact}, aby správci zkontrolovali váš domovský adresář na tomto serveru.`,
      };
    },
  },
  'volume.mount_failed': {
    en: ({ p, contact }) => {
      const ref = has(p.configMap)
        ? ` The config map ${q(p.configMap, 'en')} it needs does not exist.`
        : has(p.secret)
          ? ` The secret ${q(p.secret, 'en')} it needs does not exist.`
          : cause(p, 'en');
      return {
        title: 'A volume could not be mounted',
        detail: `The volume${has(p.volume) ? ` ${q(p.volume, 'en')}` : ''} could not be mounted into the notebook.${ref} Please write to ${contact} if this persists.`,
      };
    },
    cs: ({ p, contact }) => {
      const ref = has(p.configMap)
        ? ` Potřebný objekt ConfigMap ${q(p.configMap, 'cs')} neexistuje.`
        : has(p.secret)
          ? ` Potřebný objekt Secret ${q(p.secret, 'cs')} neexistuje.`
          : cause(p, 'cs');
      return {
        title: 'Svazek se nepodařilo připojit',
        detail: `Svazek${has(p.volume) ? ` ${q(p.volume, 'cs')}` : ''} se nepodařilo připojit do notebooku.${ref} Pokud problém trvá, napište prosím na ${contact}.`,
      };
    },
  },
  'volume.attach_failed': {
    en: ({ p, contact }) => ({
      title: 'A volume could not be attached',
      detail: `The volume${has(p.volume) ? ` ${q(p.volume, 'en')}` : ''} could not be attached to the node.${cause(p, 'en')} Please write to ${contact} if this persists.`,
    }),
    cs: ({ p, contact }) => ({
      title: 'Svazek se nepodařilo připojit k uzlu',
      detail: `Svazek${has(p.volume) ? ` ${q(p.volume, 'cs')}` : ''} se nepodařilo připojit k uzlu.${cause(p, 'cs')} Pokud problém trvá, napište prosím na ${contact}.`,
    }),
  },
  'config.missing_reference': {
    en: ({ p, contact }) => {
      const what = has(p.key)
        ? `the key ${q(p.key, 'en')} in the ${has(p.secret) ? `secret ${q(p.secret, 'en')}` : `config map ${q(p.configMap, 'en')}`}`
        : has(p.secret)
          ? `the secret ${q(p.secret, 'en')}`
          : has(p.configMap)
            ? `the config map ${q(p.configMap, 'en')}`
            : has(p.serviceAccount)
              ? `the service account ${q(p.serviceAccount, 'en')}`
              : 'a secret or config map';
      return {
        title: 'Missing configuration',
        detail: `The notebook needs ${what}, which does not exist. This is a configuration problem; please write to ${contact}.`,
      };
    },
    cs: ({ p, contact }) => {
      const what = has(p.key)
        ? `klíč ${q(p.key, 'cs')} v objektu ${has(p.secret) ? `Secret ${q(p.secret, 'cs')}` : `ConfigMap ${q(p.configMap, 'cs')}`}, ale ten neexistuje`
        : has(p.secret)
          ? `objekt Secret ${q(p.secret, 'cs')}, ale ten neexistuje`
          : has(p.configMap)
            ? `objekt ConfigMap ${q(p.configMap, 'cs')}, ale ten neexistuje`
            : has(p.serviceAccount)
              ? `servisní účet ${q(p.serviceAccount, 'cs')}, ale ten neexistuje`
              : 'objekt Secret nebo ConfigMap, který neexistuje';
      return {
        title: 'Chybí konfigurace',
        detail: `Notebook potřebuje ${what}. Jde o chybu v konfiguraci; napište prosím na ${contact}.`,
      };
    },
  },
  'scheduling.insufficient_resources': {
    en: ({ p }) => ({
      title: 'Not enough free resources',
      detail: `No node has enough free ${names(p.short, 'en') || 'resources'} for your request right now.${shortage(p, 'en', 'free')} Request less, or try again later.`,
    }),
    cs: ({ p }) => ({
      title: 'Nedostatek volných prostředků',
      detail: `Žádný uzel teď nemá pro váš požadavek dost volných prostředků${has(p.short?.[0]) ? ` (${names(p.short, 'cs')})` : ''}.${shortage(p, 'cs', 'free')} Požádejte o méně, nebo to zkuste později.`,
    }),
  },
  'scheduling.unsatisfiable': {
    en: ({ p }) => ({
      title: 'The request is larger than any node',
      detail: `No node in the cluster could ever run this request${has(p.short?.[0]) ? ` (${names(p.short, 'en')})` : ''}.${shortage(p, 'en', 'allocatable')} Request less and start the server again.`,
    }),
    cs: ({ p }) => ({
      title: 'Požadavek je větší než kterýkoli uzel',
      detail: `Tento požadavek${has(p.short?.[0]) ? ` (${names(p.short, 'cs')})` : ''} nesplní žádný uzel v clusteru, ani kdyby byl zcela volný.${shortage(p, 'cs', 'allocatable')} Požádejte o méně a spusťte server znovu.`,
    }),
  },
  'scheduling.no_matching_node': {
    en: ({ p, contact }) => {
      const terms = [...(p.selector ?? []), ...(p.taints ?? [])].map((t) => value(t, 80)).join(', ');
      return {
        title: 'No suitable node',
        detail: `No node matches the notebook's placement rules${terms ? ` (${terms})` : ''}. Choose a different option in the spawn form, or write to ${contact}.`,
      };
    },
    cs: ({ p, contact }) => {
      const terms = [...(p.selector ?? []), ...(p.taints ?? [])].map((t) => value(t, 80)).join(', ');
      return {
        title: 'Žádný vhodný uzel',
        detail: `Pravidlům pro umístění notebooku neodpovídá žádný uzel${terms ? ` (${terms})` : ''}. Zvolte ve formuláři jinou možnost, nebo napište na ${contact}.`,
      };
    },
  },
  'runtime.crash_loop': {
    en: ({ p, contact }) => ({
      title: 'The notebook keeps crashing',
      detail: `The notebook server${has(p.container) ? ` in the container ${q(p.container, 'en')}` : ''} starts and then exits${typeof p.exitCode === 'number' ? ` with code ${p.exitCode}` : ''}, again and again. The image may not contain a working Jupyter server. Try another image, or write to ${contact}.`,
    }),
    cs: ({ p, contact }) => ({
      title: 'Notebook opakovaně padá',
      detail: `Server notebooku${has(p.container) ? ` v kontejneru ${q(p.container, 'cs')}` : ''} se spustí a zase skončí${typeof p.exitCode === 'number' ? ` s kódem ${p.exitCode}` : ''}, stále dokola. Obraz možná neobsahuje funkční server Jupyter. Zkuste jiný obraz, nebo napište na ${contact}.`,
    }),
  },
  'runtime.oom_killed': {
    en: ({ p }) => ({
      title: 'Out of memory',
      detail: `The notebook used more memory than it was given${typeof p.requested?.memory === 'number' ? ` (${formatResources(p.requested, 'en', ['memory'])})` : ''} and was stopped.${has(p.cause) ? ` The kernel killed: ${said(p.cause, 200)}.` : ''} Request more memory and start the server again.`,
    }),
    cs: ({ p }) => ({
      title: 'Došla paměť',
      detail: `Notebook spotřeboval víc paměti, než měl přiděleno${typeof p.requested?.memory === 'number' ? ` (${formatResources(p.requested, 'cs', ['memory'])})` : ''}, a byl ukončen.${has(p.cause) ? ` Jádro ukončilo proces: ${said(p.cause, 200)}.` : ''} Požádejte o více paměti a spusťte server znovu.`,
    }),
  },
  'runtime.start_failed': {
    en: ({ p, contact }) => ({
      title: 'The notebook could not start',
      detail: `The container${has(p.container) ? ` ${q(p.container, 'en')}` : ''} could not be started.${cause(p, 'en')} Check the image, or write to ${contact}.`,
    }),
    cs: ({ p, contact }) => ({
      title: 'Notebook se nepodařilo spustit',
      detail: `Kontejner${has(p.container) ? ` ${q(p.container, 'cs')}` : ''} se nepodařilo spustit.${cause(p, 'cs')} Zkontrolujte obraz, nebo napište na ${contact}.`,
    }),
  },
  'quota.exceeded': {
    en: ({ p, contact }) => ({
      title: 'Quota exceeded',
      detail: `Your request exceeds the resource quota${has(p.quota) ? ` ${q(p.quota, 'en')}` : ''} of your project. Request less, stop your other servers, or write to ${contact}.`,
    }),
    cs: ({ p, contact }) => ({
      title: 'Překročena kvóta',
      detail: `Váš požadavek překračuje kvótu prostředků${has(p.quota) ? ` ${q(p.quota, 'cs')}` : ''} vašeho projektu. Požádejte o méně, zastavte své další servery, nebo napište na ${contact}.`,
    }),
  },
  'pod.evicted': {
    en: ({ p, contact }) => ({
      title: 'The notebook was evicted',
      detail: `The node${has(p.node) ? ` ${q(p.node, 'en')}` : ''} had to stop the notebook because it ran short of resources or needed room for more urgent work. Please start the server again; if this keeps happening, write to ${contact}.`,
    }),
    cs: ({ p, contact }) => ({
      title: 'Notebook byl z uzlu vyřazen',
      detail: `Uzel${has(p.node) ? ` ${q(p.node, 'cs')}` : ''} musel notebook ukončit, protože mu docházely prostředky nebo potřeboval místo pro naléhavější práci. Spusťte prosím server znovu; pokud se to opakuje, napište na ${contact}.`,
    }),
  },
  'sandbox.failed': {
    en: ({ p }) => ({
      title: "The notebook's environment could not be prepared",
      detail: `The node could not set up the network or the isolated environment for the notebook.${cause(p, 'en')} This is usually temporary; we keep trying for a while.`,
    }),
    cs: ({ p }) => ({
      title: 'Prostředí notebooku se nepodařilo připravit',
      detail: `Uzel nedokázal připravit síť ani izolované prostředí pro notebook.${cause(p, 'cs')} Obvykle jde o dočasný problém; ještě chvíli to budeme zkoušet.`,
    }),
  },
  'startup.benign_warning': {
    en: ({ p, contact }) => ({
      title: 'Still starting',
      detail: `Kubernetes reported a warning while your notebook starts${warned(p)}. This is usually harmless while the server starts; please wait. If the server does not start, write to ${contact}.`,
    }),
    cs: ({ p, contact }) => ({
      title: 'Stále se spouští',
      detail: `Při spouštění notebooku ohlásil Kubernetes varování${warned(p)}. Během spouštění serveru to obvykle nevadí; vydržte prosím. Pokud se server nespustí, napište na ${contact}.`,
    }),
  },
  'unknown.warning': {
    en: ({ p, contact }) => ({
      title: 'Oops, something went wrong',
      detail: `Your notebook could not start because of an unexpected problem${has(p.reason) ? ` (${value(p.reason, 80)}${has(p.message) ? `: ${value(p.message, 300)}` : ''})` : ''}. Please try again; if it happens again, write to ${contact}.`,
    }),
    cs: ({ p, contact }) => ({
      title: 'Jejda, něco se pokazilo',
      detail: `Váš notebook se nepodařilo spustit kvůli neočekávanému problému${has(p.reason) ? ` (${value(p.reason, 80)}${has(p.message) ? `: ${value(p.message, 300)}` : ''})` : ''}. Zkuste to prosím znovu; pokud se to zopakuje, napište na ${contact}.`,
    }),
  },
  normal: {
    en: () => ({ title: 'Starting', detail: 'Your notebook is starting; nothing is wrong.' }),
    cs: () => ({ title: 'Spouští se', detail: 'Váš notebook se spouští; vše je v pořádku.' }),
  },
};
