import {
  goPathClean,
  goPathJoin,
  normalizeChartURL,
  normalizeGitURL,
  normalizeImageRepo,
} from '../../../core/freight/normalize.js';

describe('normalizeGitURL', () => {
  it.each([
    ['https://github.com/example/repo', 'https://github.com/example/repo'],
    ['https://github.com/example/repo.git', 'https://github.com/example/repo'],
    ['https://github.com/example/repo/', 'https://github.com/example/repo'],
    ['https://github.com/example/repo.git/', 'https://github.com/example/repo'],
    ['HTTPS://GitHub.com/Example/Repo.git', 'https://github.com/example/repo'],
    ['https://user:token@github.com/example/repo.git', 'https://github.com/example/repo'],
    ['http://localhost:8080/repo.git', 'http://localhost:8080/repo'],
    ['https://github.com/example/repo?ref=main', 'https://github.com/example/repo?ref=main'],
    ['https://github.com', 'https://github.com'],
    ['ssh://git@github.com/example/repo.git', 'ssh://git@github.com/example/repo'],
    ['ssh://git@github.com:2222/example/repo.git/', 'ssh://git@github.com:2222/example/repo'],
    ['git@github.com:example/repo.git', 'ssh://git@github.com/example/repo'],
    ['git@github.com:example/repo', 'ssh://git@github.com/example/repo'],
    ['github.com:example/repo.git', 'ssh://github.com/example/repo'],
    ['git@github.com', 'ssh://git@github.com'],
    ['/tmp/Some/Repo', '/tmp/Some/Repo'],
    ['file:///tmp/repo.git', 'ssh://file//tmp/repo'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeGitURL(input)).toBe(expected);
  });
});

describe('normalizeImageRepo', () => {
  it.each([
    ['nginx', 'nginx'],
    ['library/nginx', 'nginx'],
    ['docker.io/library/nginx', 'nginx'],
    ['index.docker.io/library/nginx', 'nginx'],
    ['registry-1.docker.io/library/nginx', 'nginx'],
    ['docker.io/bitnami/redis', 'bitnami/redis'],
    ['ghcr.io/example/app', 'ghcr.io/example/app'],
    ['ghcr.io/example/app:1.0', 'ghcr.io/example/app'],
    ['nginx:latest', 'nginx'],
    ['localhost:5000/app', 'localhost:5000/app'],
    ['localhost:5000/app:v1', 'localhost:5000/app'],
    [`ghcr.io/example/app@sha256:${'a'.repeat(64)}`, 'ghcr.io/example/app'],
    ['Not A Valid Ref', 'Not A Valid Ref'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeImageRepo(input)).toBe(expected);
  });
});

describe('normalizeChartURL', () => {
  it.each([
    ['oci://ghcr.io/example/charts/app', 'ghcr.io/example/charts/app'],
    ['OCI://GHCR.io/Example/Charts/App', 'ghcr.io/example/charts/app'],
    ['oci://registry-1.docker.io/bitnamicharts/redis', 'bitnamicharts/redis'],
    ['  https://Charts.Example.com  ', 'https://charts.example.com'],
    ['https://charts.example.com/', 'https://charts.example.com/'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeChartURL(input)).toBe(expected);
  });
});

describe("Go's path.Clean and path.Join", () => {
  it.each([
    ['', '.'],
    ['a/b/../c', 'a/c'],
    ['/a/b/..', '/a'],
    ['/..', '/'],
    ['../a', '../a'],
    ['a//b/./c/', 'a/b/c'],
    ['https://charts.example.com//nginx', 'https:/charts.example.com/nginx'],
  ])('Clean(%j) = %j', (input, expected) => {
    expect(goPathClean(input)).toBe(expected);
  });

  it.each([
    [['a', 'b'], 'a/b'],
    [['', 'b'], 'b'],
    [['a', ''], 'a'],
    [['', ''], ''],
    [['ghcr.io/x', ''], 'ghcr.io/x'],
  ])('Join(%j) = %j', (elems, expected) => {
    expect(goPathJoin(...elems)).toBe(expected);
  });
});
