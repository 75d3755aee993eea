// The stage graph: warehouses, then stages in columns by depth, with arrows from each source.
import { useLayoutEffect, useRef, useState } from '/vendor/hooks.mjs';
import { html } from '../lib/html.js';
import { layout, sourcesOf } from '../lib/pipeline.js';
import { StageNode } from './StageNode.js';
import { WarehouseNode } from './WarehouseNode.js';

function edgesOf(graph, stages) {
  const box = graph.getBoundingClientRect();
  const paths = [];
  const edge = (fromId, toId) => {
    const a = document.getElementById(fromId)?.getBoundingClientRect();
    const b = document.getElementById(toId)?.getBoundingClientRect();
    if (!a || !b) return;
    const x1 = a.right - box.left + graph.scrollLeft;
    const y1 = a.top + a.height / 2 - box.top;
    const x2 = b.left - box.left + graph.scrollLeft;
    const y2 = b.top + b.height / 2 - box.top;
    const mid = (x1 + x2) / 2;
    paths.push({ key: `${fromId}>${toId}`, d: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2 - 4},${y2}` });
  };
  for (const s of stages) {
    const { warehouses, upstream } = sourcesOf(s);
    warehouses.forEach((w) => edge(`node-warehouse-${w}`, `node-stage-${s.metadata.name}`));
    upstream.forEach((u) => edge(`node-stage-${u}`, `node-stage-${s.metadata.name}`));
  }
  return { paths, width: graph.scrollWidth, height: graph.scrollHeight };
}

export function Pipeline(props) {
  const { data } = props;
  const graph = useRef(null);
  const [edges, setEdges] = useState({ paths: [], width: 0, height: 0 });
  const columns = layout(data.warehouses, data.stages);
  useLayoutEffect(() => {
    const next = edgesOf(graph.current, data.stages);
    if (JSON.stringify(next) !== JSON.stringify(edges)) setEdges(next);
  });
  useLayoutEffect(() => {
    const redraw = () => setEdges(edgesOf(graph.current, data.stages));
    window.addEventListener('resize', redraw);
    return () => window.removeEventListener('resize', redraw);
  }, [data.stages]);
  return html`
    <div id="graph" class="graph" ref=${graph}>
      <svg id="edges" class="edges" aria-hidden="true" width=${edges.width} height=${edges.height}>
        <defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#7a8699" /></marker></defs>
        ${edges.paths.map((p) => html`<path key=${p.key} d=${p.d} />`)}
      </svg>
      <div id="columns" class="columns">
        ${columns.map((col, i) => html`
          <div class="column" role="list" aria-label=${i === 0 ? 'Warehouses' : `Stages, step ${i}`} key=${i}>
            ${col.map((n) => html`<div role="listitem" key=${n.kind + (n.item.metadata.name)}>
              ${n.kind === 'warehouse' ? html`<${WarehouseNode} warehouse=${n.item} />` : html`<${StageNode} ...${props} stage=${n.item} />`}
            </div>`)}
          </div>`)}
      </div>
    </div>
  `;
}
