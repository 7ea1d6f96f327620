package dev.billing.cli;

import dev.billing.embedded.SchemaName;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads an option naming a schema the command drops and recreates (demo --schema, reconcile
 * --work-schema): a name that is not a plain {@link SchemaName} is refused before anything starts.
 */
public final class SchemaNameConverter implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
        try {
            return SchemaName.checked(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
