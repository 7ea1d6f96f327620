package dev.billing.serde;

import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * Makes Flink use a {@link VersionedFormat} for its type wherever the type is state or a record
 * ({@code TypeInformation.of(Type.class)}, state descriptors, operator outputs): the type carries
 * {@code @TypeInfo(TheFormat.TypeInfoFactory.class)}, a subclass of this naming the format.
 */
public abstract class VersionedTypeInfoFactory<T> extends TypeInfoFactory<T> {
    private final VersionedFormat<T> format;

    protected VersionedTypeInfoFactory(VersionedFormat<T> format) {
        this.format = format;
    }

    @Override
    public TypeInformation<T> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
        return format.typeInfo();
    }
}
