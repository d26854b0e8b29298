
      export interface PossibleTypesResultData {
        possibleTypes: {
          [key: string]: string[]
        }
      }
      const result: PossibleTypesResultData = {
  "possibleTypes": {
    "Node": [
      "ApiToken",
      "AppDeployment",
      "AuditEvent",
      "ComputePool",
      "DeploymentEvent",
      "Environment",
      "Machine",
      "ProfileBundle",
      "Project",
      "Tenant"
    ]
  }
};
      export default result;
    