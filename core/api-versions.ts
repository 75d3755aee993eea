/** The apiVersions of the manifests Shunt reads: Kargo's resources and Argo Rollouts' AnalysisTemplates. */
export const KARGO_API_VERSION = 'kargo.akuity.io/v1alpha1';
export const ARGO_ROLLOUTS_API_VERSION = 'argoproj.io/v1alpha1';
