import { Component, type ErrorInfo, type ReactNode } from "react";

// Never a blank page: a render error shows what broke and a way back instead of unmounting the app.

interface Props {
  title: string;
  retryLabel: string;
  children: ReactNode;
}

export class ErrorBoundary extends Component<Props, { error?: Error }> {
  override state: { error?: Error } = {};

  static getDerivedStateFromError(error: unknown) {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: Error, info: ErrorInfo) {
    console.error(error, info.componentStack);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="crash" role="alert">
        <h2>{this.props.title}</h2>
        <pre>{this.state.error.message}</pre>
        <button type="button" onClick={() => this.setState({ error: undefined })}>
          {this.props.retryLabel}
        </button>
      </div>
    );
  }
}
