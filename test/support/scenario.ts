/**
 * Given/When/Then for the end-to-end suites, over Shunt's HTTP api as a user drives it (after
 * argo-workflows' test/e2e fixtures): `given` sets the world up and fails at once when the api
 * refuses, `when` acts, `then` waits until what is expected holds, polled until a deadline.
 *
 *   const { given, when, then } = scenario(() => stack.url);
 *   await given.aProject('demo', { stages: [aStage('dev', { project: 'demo', steps })] });
 *   const freight = await given.freight('demo', '1.0.0');
 *   const promotion = await when.promoted('demo', 'dev', freight.alias);
 *   expect((await then.promotionEnds('demo', promotion)).status.phase).toBe('Succeeded');
 *   await then.stageHolds('demo', 'dev', freight.metadata.name);
 */
import { aFreight, aProject, aWarehouse, WAREHOUSE, yamlOf, type FreightOptions, type WarehouseOptions } from './manifests.js';
import { eventually } from './poll.js';
import { ShuntApi, type FreightItem, type PromotionItem } from './shunt-api.js';

export interface Scenario {
  given: Given;
  when: When;
  then: Then;
  /** The api client they share, for what they do not cover. */
  api: ShuntApi;
}

/** Steps for the api at `url` (a function when the address is known only once the suite starts). */
export function scenario(url: string | (() => string)): Scenario {
  const api = new ShuntApi(typeof url === 'string' ? () => url : url);
  return { given: new Given(api), when: new When(api), then: new Then(api), api };
}

let applied = 0;

export class Given {
  constructor(private readonly api: ShuntApi) {}

  /** Documents (the builders' objects, or YAML text) applied in one request, as `shunt apply -f` does. */
  async manifests(...docs: (object | string)[]): Promise<void> {
    const text = docs.map((d) => (typeof d === 'string' ? d : yamlOf(d))).join('---\n');
    await this.api.apply(`given-${++applied}.yaml`, text);
  }

  /** A project with its warehouse (the kit's default one unless `warehouse` says otherwise), then `docs` (stages, ProjectConfig, ...). */
  async aProject(project: string, opts: { warehouse?: WarehouseOptions; docs?: (object | string)[] } = {}): Promise<void> {
    await this.manifests(aProject(project), aWarehouse(WAREHOUSE, { project, ...opts.warehouse }), ...(opts.docs ?? []));
  }

  /** Freight of the app image at `tag`, as the api lists it once applied. */
  async freight(project: string, tag: string, opts: FreightOptions = {}): Promise<FreightItem> {
    await this.manifests(aFreight({ project, tag, ...opts }));
    const found = (await this.api.freight(project)).find((f) => f.images[0]?.tag === tag);
    if (!found) throw new Error(`freight for tag ${tag} was applied but project ${project} does not list it`);
    return found;
  }
}

export class When {
  constructor(private readonly api: ShuntApi) {}

  /** Asks for a promotion of `freight` (name or alias) to `stage`; resolves to the promotion's name. */
  promoted(project: string, stage: string, freight: string): Promise<string> {
    return this.api.promote(project, stage, freight);
  }
}

export class Then {
  constructor(private readonly api: ShuntApi) {}

  /** The promotion once it has ended, whatever the outcome. */
  promotionEnds(project: string, name: string, timeoutMs?: number): Promise<PromotionItem> {
    return this.api.finished(project, name, timeoutMs);
  }

  /** Waits until the stage holds `freight` (its name); fails saying what it holds instead. */
  async stageHolds(project: string, stage: string, freight: string, timeoutMs = 60_000): Promise<void> {
    let holds = '';
    await eventually(
      async () => {
        holds = await this.api.stageFreight(project, stage);
        return holds === freight ? true : undefined;
      },
      () => `stage ${stage} to hold freight ${freight} (it holds "${holds}")`,
      timeoutMs,
    );
  }
}
