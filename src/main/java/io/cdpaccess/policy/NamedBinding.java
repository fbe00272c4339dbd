package io.cdpaccess.policy;

import com.google.common.collect.ImmutableList;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelFunctionOverload;
import dev.cel.runtime.InternalCelFunctionBinding;

/**
 * A function binding that carries the name rules write ({@code ip}, {@code matches}) besides its
 * overload id: CEL-Java's evaluation errors name the binding's function, and
 * {@code Function 'ip' failed} tells an administrator which call failed where
 * {@code Function 'ip_string' failed} would not. {@code InternalCelFunctionBinding} is cel-java's
 * internal interface; it is the only way to give a binding that name.
 */
record NamedBinding(String function, CelFunctionBinding binding) implements InternalCelFunctionBinding {
    @Override
    public String getFunctionName() {
        return function;
    }

    @Override
    public String getOverloadId() {
        return binding.getOverloadId();
    }

    @Override
    public ImmutableList<Class<?>> getArgTypes() {
        return binding.getArgTypes();
    }

    @Override
    public CelFunctionOverload getDefinition() {
        return binding.getDefinition();
    }

    @Override
    public boolean isStrict() {
        return binding.isStrict();
    }
}
