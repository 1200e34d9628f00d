import type { ReactNode } from "react";
import type { ApiProblem } from "../lib/field-error.js";
import { FieldProblem } from "./problem.js";

/** A labelled input; `field` is the proto field name the server uses in its errors. */
export function Field(props: {
  label: string;
  field?: string;
  problem?: ApiProblem;
  hint?: ReactNode;
  children: ReactNode;
}) {
  return (
    <div className="field">
      {/* biome-ignore lint/a11y/noLabelWithoutControl: the control is the child passed in */}
      <label>
        <span className="field-label">{props.label}</span>
        {props.children}
      </label>
      {props.hint ? <div className="field-hint">{props.hint}</div> : null}
      {props.field ? <FieldProblem problem={props.problem} field={props.field} /> : null}
    </div>
  );
}
