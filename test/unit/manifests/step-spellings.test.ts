import { parseManifests } from '../../../core/manifests/index.js';

const STAGE = `apiVersion: kargo.akuity.io/v1alpha1
kind: Stage
metadata: {name: dev, namespace: demo}
spec:
  requestedFreight:
    - origin: {kind: Warehouse, name: app}
      sources: {direct: true}
  promotionTemplate:
    spec:
      steps:
        - uses: git-clone
          config: {repoURL: 'https://github.com/acme/gitops.git', branch: main}
        - uses: kustomize-set-image
          as: set-image
          config:
            path: stages/dev
            images:
              - image: ghcr.io/acme/app
              - image: ghcr.io/acme/other
                newTag: '1.2'
        - uses: git-commit
          config: {messageFromSteps: [set-image]}
        - uses: git-push
        - uses: http
          if: \${{ steps['set-image'].status == 'Failure' }}
          config:
            url: https://hooks.example.com
            headers: [{name: token, value: '\${{ secrets.hook.token }}'}]
`;

describe('older step spellings', () => {
  it('parse without issues, each with a one-line hint naming the current spelling', () => {
    const r = parseManifests(STAGE, 'stage.yaml');
    expect(r.issues).toEqual([]);
    const where = 'stage.yaml: document 1 (Stage dev): spec.promotionTemplate.spec.steps';
    expect(r.hints).toEqual([
      `${where}[0]: git-clone without checkout clones into the workspace root; the current spelling is checkout: [{ branch: <branch>, path: ./src }]`,
      `${where}[1] (set-image): images[0] has neither tag nor digest and takes the promoted freight's tag; the current spelling is tag: \${{ imageFrom('ghcr.io/acme/app').Tag }}`,
      `${where}[1] (set-image): images[1].newTag is an older spelling; use tag`,
      `${where}[2]: git-commit messageFromSteps was removed in Kargo v1.5; use message: \${{ outputs['<alias>'].commitMessage }}`,
      `${where}[2]: git-commit without path uses the workspace root; Kargo requires path`,
      `${where}[3]: git-push without path uses the workspace root; Kargo requires path`,
      `${where}[4]: steps['<alias>'].status is an older spelling; use status('<alias>') (compared with 'Failed', 'Succeeded', 'Errored')`,
      `${where}[4]: the secrets variable was removed in Kargo v1.7; use secret('<name>').<key>`,
    ]);
  });

  it('also in a PromotionTask', () => {
    const r = parseManifests(
      `apiVersion: kargo.akuity.io/v1alpha1
kind: PromotionTask
metadata: {name: t, namespace: demo}
spec:
  steps:
    - uses: git-wait-for-pr
      config: {repoURL: x, prNumber: '\${{ outputs["open"].prNumber }}'}
`,
      'task.yaml',
    );
    expect(r.issues).toEqual([]);
    expect(r.hints).toEqual(['task.yaml: document 1 (PromotionTask t): spec.steps[0]: the git-open-pr output prNumber was removed in Kargo v1.7; use pr.id']);
  });

  // Kargo passes config numbers to go-toml as float64 (`threshold = 100.0`); Shunt keeps an
  // integer an integer and says so at apply.
  it('says that toml-update writes an integer value as an integer', () => {
    const r = parseManifests(
      `apiVersion: kargo.akuity.io/v1alpha1
kind: PromotionTask
metadata: {name: t, namespace: demo}
spec:
  steps:
    - uses: toml-update
      config: {path: c.toml, updates: [{key: threshold, value: 100}, {key: ratio, value: 0.5}, {key: v, value: '1'}]}
`,
      'task.yaml',
    );
    expect(r.issues).toEqual([]);
    expect(r.hints).toEqual([
      'task.yaml: document 1 (PromotionTask t): spec.steps[0]: updates[0].value 100 is written as the integer 100; Kargo writes a number from config as a float (100.0)',
    ]);
  });
});
