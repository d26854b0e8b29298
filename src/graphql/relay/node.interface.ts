import { Field, ID, InterfaceType } from 'type-graphql';

@InterfaceType('Node', { description: 'An object with an opaque, globally unique ID' })
export abstract class Node {
  @Field(() => ID)
  id!: string;
}
