/**
 * The Relay documents of the guide, as relay-compiler reads them (`npm run codegen` writes
 * __generated__/). With babel-plugin-relay (or the SWC/Vite plugins) a `graphql` tag compiles to an
 * import of its artifact; relay.ts imports the artifacts directly, so this file is never run.
 */
import { graphql } from 'relay-runtime';

export const poolQuery = graphql`
  query relayDocumentsPoolQuery($id: ID!) {
    node(id: $id) {
      id
      ... on ComputePool { name phase mode }
    }
  }
`;

export const dryRunMutation = graphql`
  mutation relayDocumentsDryRunMutation($input: DeployAppInput!) {
    deployApp(input: $input) {
      plan {
        allowed
        pool { name mode isNew cluster computePool { id name phase } }
        steps { step title }
      }
      userErrors { field message code }
    }
  }
`;
