/**
 * A file the importer refuses as a whole (broken JSON or gzip, not a FeatureCollection, wrong
 * coordinate system): nothing of it is kept. One line, written for the operator. The API answers
 * it as a 400 (api/problem.ts maps the `status` of a client error); the CLI exits with status 1.
 */
import { HubError } from '../../core/index.ts'

export class ImportRefusedError extends HubError {
  readonly status = 400
}
