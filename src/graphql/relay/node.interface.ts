import { Field, ID, InterfaceType } from 'type-graphql';

@InterfaceType('Node', { description: 'An object with an opaque, globally unique ID' })
export abstract class Node {
  @Field(() => ID, { description: 'Opaque global ID: pass it to `node(id:)` or to mutations; do not parse it' })
  id!: string;
}
