// Error shapes. OData failures use the OData 4 JSON envelope; the exact `innererror` fields Creatio
// fills are unknown (reference §1), so we mirror ASP.NET OData's shape: message, type, stacktrace.

export interface ODataErrorBody {
  error: { code: string; message: string; innererror: { message: string; type: string; stacktrace: string } };
}

export class ODataError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type = 'Terrasoft.Common.TerrasoftException',
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ODataError';
  }

  body(): ODataErrorBody {
    return {
      error: {
        code: '',
        message: this.message,
        innererror: { message: this.message, type: this.type, stacktrace: '' },
      },
    };
  }
}

export const badRequest = (message: string): ODataError =>
  new ODataError(400, message, 'Microsoft.OData.ODataException');

/** Valid OData that this stand-in does not model: answered 501 so a client never gets a guessed result. */
export const notModelled = (what: string): ODataError =>
  new ODataError(
    501,
    `Not supported by the Creatio stand-in: ${what}. Rewrite the request with the supported subset (see infra/standins/creatio/README.md).`,
    'System.NotSupportedException',
  );

export const notFound = (message: string): ODataError =>
  new ODataError(404, message, 'Terrasoft.Common.ItemNotFoundException');

/** Database constraint failures surface as server errors (assumption: Creatio does not map them to 4xx). */
export const dbError = (message: string): ODataError =>
  new ODataError(500, message, 'System.Data.SqlClient.SqlException');

export const RAM_LIMIT_PREFIX =
  'Request processing terminated because it reached the RAM consumption limit of';

export const ramLimitError = (mb: number): ODataError =>
  new ODataError(
    500,
    `${RAM_LIMIT_PREFIX} ${mb} MB. Reduce the number of columns or records requested.`,
    'Terrasoft.Core.Entities.MemoryLimitExceededException',
  );
