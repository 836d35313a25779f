package io.roster.tools.template;

/** A template that does not parse or fails to execute; the message is Go's: {@code template: NAME:LINE:COL: ...}. */
public final class TemplateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TemplateException(String message) {
        super(message);
    }

    public TemplateException(String message, Throwable cause) {
        super(message, cause);
    }
}
