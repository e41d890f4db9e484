/** The pipeline from the documentation of one of the systems Baton replaces, exactly as written. */
export const DOCUMENT_PIPELINE = `id: document_pipeline
name: Document Processing Pipeline
tasks:
  - id: extract
    name: Extract Information
    action: generate_text
    parameters:
      prompt: "Extract key facts from: {document}"
  - id: summarize
    name: Summarize Facts
    action: generate_text
    parameters:
      prompt: "Summarize these facts: {extract}"
    dependencies:
      - extract
`;
