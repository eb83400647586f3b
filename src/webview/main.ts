// The review panel's page. Filled in by the review feature; kept buildable from the start.
export {};
