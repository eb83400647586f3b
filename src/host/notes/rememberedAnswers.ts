import type * as vscode from 'vscode';

/** The editor's stores of what a person answered: this workspace's, and every workspace's. */
export interface AnswerMementos {
  readonly workspace: vscode.Memento;
  readonly global: vscode.Memento;
}

/**
 * The answers to one of Vouch's questions about a repository (a prompt, a warning), kept under
 * `keyPrefix` and a subject (the repository, a remote of it, ...) so that it is not asked again:
 * in this workspace, or, for "Never" and "Don't Warn Again", in every workspace.
 */
export class RememberedAnswers<A> {
  constructor(
    private readonly keyPrefix: string,
    private readonly mementos: AnswerMementos,
  ) {}

  /** The answer kept for `subject` in this workspace, else in every workspace. */
  get(subject: string): A | undefined {
    const key = this.keyPrefix + subject;
    return this.mementos.workspace.get<A>(key) ?? this.mementos.global.get<A>(key);
  }

  rememberInWorkspace(subject: string, answer: A): Thenable<void> {
    return this.mementos.workspace.update(this.keyPrefix + subject, answer);
  }

  rememberEverywhere(subject: string, answer: A): Thenable<void> {
    return this.mementos.global.update(this.keyPrefix + subject, answer);
  }
}
