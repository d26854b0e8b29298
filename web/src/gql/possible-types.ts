
      export type PossibleTypesResultData = {
  "possibleTypes": {
    "Node": [
      "ApiToken",
      "AppDeployment",
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
      const result: PossibleTypesResultData = {
  "possibleTypes": {
    "Node": [
      "ApiToken",
      "AppDeployment",
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
    