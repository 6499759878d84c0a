// The events are the control API's wire type: @weft/control owns it.
export type { PodEvent } from "@weft/control/pod-types";
