// Shunt's web page: preact + htm, no build step. The modules come from /vendor/ (served from
// node_modules by the api); the page's own from web/lib (data, stream) and web/components (views).
import { render } from '/vendor/preact.mjs';
import { App } from './components/App.js';
import { html } from './lib/html.js';

render(html`<${App} />`, document.getElementById('app'));
