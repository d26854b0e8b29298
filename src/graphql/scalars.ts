import { GraphQLDateTime, GraphQLJSON } from 'graphql-scalars';

/** `DateTime`: ISO-8601 with offset. */
export const DateTimeScalar = GraphQLDateTime;
/** `JSON`: any JSON value (Helm values, variable values, event details). */
export const JSONScalar = GraphQLJSON;
