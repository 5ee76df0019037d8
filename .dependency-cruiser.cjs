/** Dependency rules of docs/ARCHITECTURE.md, checked by `npm test`. */
module.exports = {
  forbidden: [
    {
      name: 'rules-and-catalog-are-pure',
      comment: '*.rules.ts and catalog/ hold pure domain rules: no platform, repository, service or route code',
      severity: 'error',
      from: { path: '(\\.rules\\.ts$|^src/catalog/)' },
      to: { path: '(^src/platform/|\\.repository\\.ts$|\\.service\\.ts$|\\.routes\\.ts$)' },
    },
    {
      name: 'repositories-below-services',
      severity: 'error',
      from: { path: '\\.repository\\.ts$' },
      to: { path: '(\\.service\\.ts$|\\.routes\\.ts$)' },
    },
    {
      name: 'services-below-routes',
      severity: 'error',
      from: { path: '\\.service\\.ts$' },
      to: { path: '\\.routes\\.ts$' },
    },
    {
      name: 'routes-use-services-not-repositories',
      severity: 'error',
      from: { path: '\\.routes\\.ts$' },
      to: { path: '\\.repository\\.ts$' },
    },
    {
      name: 'modules-meet-through-services-or-contracts',
      comment: 'a module reaches another module only through its service or contract',
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/' },
      to: {
        path: '^src/modules/([^/]+)/.+\\.(repository|routes|table)\\.ts$',
        pathNot: '^src/modules/$1/',
      },
    },
    {
      name: 'web-imports-only-contracts',
      comment: 'the browser bundle may use contracts (isomorphic zod schemas) and the catalog, never server code',
      severity: 'error',
      from: { path: '^web/' },
      to: { path: '^src/', pathNot: '(\\.contract\\.ts$|^src/catalog/|\\.rules\\.ts$)' },
    },
    {
      name: 'contracts-are-isomorphic',
      severity: 'error',
      from: { path: '\\.contract\\.ts$' },
      to: { path: '(^src/platform/|\\.repository\\.ts$|\\.service\\.ts$|^node:|\\.routes\\.ts$)' },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '(node_modules|dist|\\.test\\.ts$)' },
  },
};
