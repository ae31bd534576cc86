// The runbook as a graph of steps: where a run can start, where each step can go next, and how a
// run can end. Shared by the flow checks and by features that follow branches.
import type { Branch, Procedure, Range } from '../language/syntax';
import type { RunbookModel, StepNode } from './model';

/** `handover`: a branch into another runbook (`-> pop-protocol:recover-deep`): the run goes on there. */
export type EndKind = 'resolved' | 'escalate' | 'end' | 'handover';

export interface FlowEdge {
  from: StepNode;
  /** The next step, or undefined when the run ends here. */
  to?: StepNode;
  end?: EndKind;
  /** The branch taken; none for falling through to the next step. */
  branch?: Branch;
  /** Where the edge is written (the branch, or the step header when falling through). */
  range: Range;
}

export class FlowGraph {
  readonly edges = new Map<StepNode, FlowEdge[]>();
  readonly entries: StepNode[] = [];
  /** Entries that only a hand-over from another runbook starts a run at. */
  readonly handovers = new Set<StepNode>();

  constructor(readonly model: RunbookModel) {
    const { runbook } = model;
    const firstOf = (procedure: Procedure | undefined): StepNode | undefined => {
      const step = procedure?.steps[0];
      return step ? model.node(step) : undefined;
    };
    const entry = firstOf(runbook.procedures[0]);
    if (entry) this.entries.push(entry);
    for (const procedure of runbook.procedures) {
      const first = firstOf(procedure);
      if (procedure.monitors.length > 0 && first && !this.entries.includes(first)) this.entries.push(first);
    }
    // A run handed over from another runbook starts at the step it names.
    for (const step of model.handoverEntries()) {
      const node = model.node(step);
      if (this.entries.includes(node)) continue;
      this.entries.push(node);
      this.handovers.add(node);
    }
    for (const node of model.nodes) this.edges.set(node, this.edgesOf(node));
  }

  private edgesOf(node: StepNode): FlowEdge[] {
    const { model } = this;
    const { procedure, step } = node;
    const escalation = node.source.step.actions.find((a) => a.kind === 'escalate');
    if (escalation) return [{ from: node, end: 'escalate', range: escalation.range }];
    const edges: FlowEdge[] = [];
    let otherwise = false;
    for (const branch of step.branches) {
      if (branch.kind === 'otherwise') otherwise = true;
      const target = branch.target;
      if (!target) continue;
      if (target.kind === 'step') {
        const resolved = model.resolve(procedure, target.reference);
        if (!resolved) continue;
        if (resolved.foreign) {
          edges.push({ from: node, end: 'handover', branch, range: branch.range });
          if (branch.kind === 'otherwise') break;
          continue;
        }
        const to = resolved.step ? model.node(resolved.step) : undefined;
        edges.push(to ? { from: node, to, branch, range: branch.range } : { from: node, end: 'end', branch, range: branch.range });
      } else {
        edges.push({ from: node, end: target.kind, branch, range: branch.range });
      }
      if (branch.kind === 'otherwise') break;
    }
    if (!otherwise) {
      const next = procedure.steps[step.index + 1];
      edges.push(next ? { from: node, to: model.node(next), range: step.headerRange } : { from: node, end: 'end', range: step.headerRange });
    }
    return edges;
  }

  reachable(): Set<StepNode> {
    const seen = new Set<StepNode>(this.entries);
    const queue = [...this.entries];
    while (queue.length > 0) {
      const node = queue.pop()!;
      for (const edge of this.edges.get(node) ?? []) {
        if (edge.to && !seen.has(edge.to)) {
          seen.add(edge.to);
          queue.push(edge.to);
        }
      }
    }
    return seen;
  }

  /**
   * Every step, those reachable from the entries in reverse post-order of a depth-first walk (a
   * step comes before the steps it leads to, except along a loop's way back), then the others.
   */
  reversePostOrder(): StepNode[] {
    const visited = new Set<StepNode>();
    const post: StepNode[] = [];
    // Iterative, so a 50k-line runbook cannot overflow the call stack.
    for (const root of [...this.entries, ...this.model.nodes]) {
      if (visited.has(root)) continue;
      visited.add(root);
      const work: { node: StepNode; edge: number }[] = [{ node: root, edge: 0 }];
      while (work.length > 0) {
        const frame = work[work.length - 1]!;
        const edges = this.edges.get(frame.node) ?? [];
        if (frame.edge < edges.length) {
          const to = edges[frame.edge++]!.to;
          if (to && !visited.has(to)) {
            visited.add(to);
            work.push({ node: to, edge: 0 });
          }
          continue;
        }
        work.pop();
        post.push(frame.node);
      }
    }
    return post.reverse();
  }

  /** The steps reachable from the entries, in the order a breadth-first walk meets them. */
  breadthFirst(): StepNode[] {
    const seen = new Set<StepNode>(this.entries);
    const order = [...this.entries];
    for (let i = 0; i < order.length; i++) {
      for (const edge of this.edges.get(order[i]!) ?? []) {
        if (edge.to && !seen.has(edge.to)) {
          seen.add(edge.to);
          order.push(edge.to);
        }
      }
    }
    return order;
  }

  /** Strongly connected groups of steps (Tarjan), the loops of the runbook. */
  loops(): StepNode[][] {
    const index = new Map<StepNode, number>();
    const low = new Map<StepNode, number>();
    const onStack = new Set<StepNode>();
    const stack: StepNode[] = [];
    const result: StepNode[][] = [];
    let counter = 0;
    // Iterative, so a 50k-line runbook cannot overflow the call stack.
    for (const root of this.model.nodes) {
      if (index.has(root)) continue;
      const work: { node: StepNode; edge: number }[] = [{ node: root, edge: 0 }];
      index.set(root, counter);
      low.set(root, counter++);
      stack.push(root);
      onStack.add(root);
      while (work.length > 0) {
        const frame = work[work.length - 1]!;
        const edges = this.edges.get(frame.node) ?? [];
        if (frame.edge < edges.length) {
          const to = edges[frame.edge++]!.to;
          if (!to) continue;
          if (!index.has(to)) {
            index.set(to, counter);
            low.set(to, counter++);
            stack.push(to);
            onStack.add(to);
            work.push({ node: to, edge: 0 });
          } else if (onStack.has(to)) {
            low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
          }
          continue;
        }
        work.pop();
        const parent = work[work.length - 1];
        if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
        if (low.get(frame.node) === index.get(frame.node)) {
          const component: StepNode[] = [];
          let member: StepNode;
          do {
            member = stack.pop()!;
            onStack.delete(member);
            component.push(member);
          } while (member !== frame.node);
          const selfLoop = component.length === 1 && (this.edges.get(frame.node) ?? []).some((e) => e.to === frame.node);
          if (component.length > 1 || selfLoop) result.push(component);
        }
      }
    }
    return result;
  }
}
