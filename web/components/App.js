// The page: signs in, loads the project once, then follows its event stream (no polling) and
// renders every section from the api's answers.
import { useCallback, useEffect, useRef, useState } from '/vendor/hooks.mjs';
import { api, seg } from '../lib/api.js';
import { completeSignInIfRedirected, loadAuthConfig, pasteToken, signOut, startSignIn } from '../sign-in.js';
import { html } from '../lib/html.js';
import { applyEvent } from '../lib/store.js';
import { followProject } from '../lib/stream.js';
import { Audit } from './Audit.js';
import { Compare } from './Compare.js';
import { Events } from './Events.js';
import { FreightTimeline } from './FreightTimeline.js';
import { Header } from './Header.js';
import { Nav } from './Nav.js';
import { Pipeline } from './Pipeline.js';
import { PromotionDetail } from './PromotionDetail.js';
import { useRead } from './Read.js';
import { Promotions } from './Promotions.js';
import { Section } from './Section.js';
import { Verification } from './Verification.js';
import { Waiting } from './Waiting.js';

const ALLOW_ALL = { promote: { allowed: true }, approve: { allowed: true } };

export function App() {
  const [projects, setProjects] = useState([]);
  const [project, setProject] = useState('');
  const [who, setWho] = useState(null);
  const [data, setData] = useState(null);
  const [oidc, setOidc] = useState(undefined);
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [connection, setConnection] = useState('');
  const [historyStage, setHistoryStage] = useState('');
  const [detail, setDetail] = useState('');
  const [tick, setTick] = useState(0);
  const [generation, setGeneration] = useState(0);
  const projectRef = useRef('');

  const signedOut = useCallback((err) => {
    setWho(null);
    setData(null);
    setConnection('');
    if (err) setError(err.message);
  }, []);

  /** Everything for the project, once: the stream keeps it up to date from there. */
  const load = useCallback(async (wanted) => {
    try {
      const list = (await api('GET', '/projects')).items.map((p) => p.metadata.name);
      const fromUrl = new URLSearchParams(location.search).get('project');
      const chosen = list.includes(wanted) ? wanted : list.includes(fromUrl) ? fromUrl : (list[0] ?? '');
      setProjects(list);
      setProject(chosen);
      projectRef.current = chosen;
      if (!chosen) {
        setWho(await api('GET', '/whoami'));
        setStatus('No projects yet: apply a pipeline with `shunt apply -f`.');
        return;
      }
      const p = seg(chosen);
      const [whoami, warehouses, stages, freight, promotions] = await Promise.all([
        api('GET', `/whoami?project=${p}`),
        ...['warehouses', 'stages', 'freight', 'promotions'].map((k) => api('GET', `/projects/${p}/${k}`).then((l) => l.items)),
      ]);
      setWho(whoami);
      setData({ warehouses, stages, freight, promotions });
      setError('');
      setGeneration((g) => g + 1);
    } catch (err) {
      if (err.status === 401) signedOut(err);
      else setError(err.message);
    }
  }, [signedOut]);

  useEffect(() => {
    void (async () => {
      let signInFailure = '';
      try {
        await completeSignInIfRedirected();
      } catch (err) {
        signInFailure = err.message;
      }
      // The project is loaded meanwhile: a slow issuer must not hold the page.
      const configured = loadAuthConfig().then((config) => setOidc(config.oidc));
      await load('');
      // Why the sign-in failed outlasts the load's own "sign in" answer (a 401 without a token).
      if (signInFailure) setError(signInFailure);
      await configured;
    })();
  }, [load]);

  // Follow the project's stream while signed in; re-read /whoami when the stages change (it
  // answers per stage what the caller may do).
  useEffect(() => {
    if (!project || !who) return undefined;
    return followProject(project, {
      onEvent(event) {
        if (projectRef.current !== project) return;
        setData((d) => applyEvent(d, event));
        const kind = event.data?.kind;
        if (event.event === 'reset' || kind === 'Promotion' || kind === 'Verification') setTick((t) => t + 1);
        if (event.event === 'reset' || (kind === 'Stage' && event.event !== 'changed')) {
          api('GET', `/whoami?project=${seg(project)}`).then(setWho, () => undefined);
        }
      },
      onState(state) {
        if (state === 'signed-out') signedOut(new Error('Your sign-in has ended: sign in again.'));
        else setConnection(state);
      },
    });
  }, [project, who !== null, generation]);

  const run = useCallback(async (label, action) => {
    setBusy(true);
    setError('');
    setStatus(`${label}…`);
    try {
      setStatus((await action()) ?? `${label}: done`);
    } catch (err) {
      setStatus('');
      setError(err.message);
    } finally {
      setBusy(false);
    }
  }, []);

  const permissions = (stage) => who?.project?.stages?.[stage] ?? ALLOW_ALL;
  const showHistory = (stage, scroll = true) => {
    setHistoryStage(stage);
    if (scroll) document.getElementById('promotions-section')?.scrollIntoView({ block: 'start' });
  };
  // Read once for "Waiting for me" and for the stages' Approve buttons (the api says which the caller may not give, and why).
  const approvals = useRead(data && project ? `/projects/${seg(project)}/approvals?for=me` : '', [project, tick]);
  const shared = { data, project, permissions, approvals, busy, run, tick };

  return html`
    <a class="skip" href="#main">Skip to the pipeline</a>
    <${Header} projects=${projects} project=${project} who=${who} signedIn=${who !== null} oidc=${oidc} connection=${connection}
      onProject=${(p) => {
        setData(null);
        void load(p);
      }}
      onSignIn=${() => startSignIn()}
      onToken=${(t) => {
        pasteToken(t);
        void load(project);
      }}
      onSignOut=${() => {
        signOut();
        signedOut();
        void load(project);
      }} />
    ${data ? html`<${Nav} waiting=${approvals.data?.items.length ?? 0} />` : null}
    <div id="status" class="status" role="status" aria-live="polite">${status}</div>
    <div id="error" class="error" role="alert">${error}</div>
    <main id="main" tabindex="-1">
      ${data ? html`
        <${Section} id="pipeline" title="Pipeline"><${Pipeline} ...${shared} onShowHistory=${showHistory} /><//>
        <${Section} id="freight" title="Freight"><${FreightTimeline} ...${shared} /><//>
        <${Section} id="waiting" title="Waiting for me"><${Waiting} ...${shared} /><//>
        <${Section} id="promotions" title="Promotions"><${Promotions} data=${data} stage=${historyStage} onStage=${setHistoryStage} onDetail=${setDetail} /><//>
        <${Section} id="verification" title="Verification"><${Verification} data=${data} /><//>
        <${Section} id="compare" title="Compare stages"><${Compare} ...${shared} /><//>
        <${Section} id="audit" title="Audit trail"><${Audit} ...${shared} /><//>
        <${Section} id="events" title="Events"><${Events} ...${shared} /><//>
      ` : null}
    </main>
    ${detail && data ? html`<${PromotionDetail} project=${project} data=${data} name=${detail} onClose=${() => setDetail('')} />` : null}
  `;
}
