/** Hopper (Gymnasium v5 hopper.xml), written in local coordinates from ../shared/REFERENCE.md 1.4. */
export const hopperXml = `
<mujoco model="hopper">
  <compiler angle="degree" inertiafromgeom="true"/>
  <option integrator="RK4" timestep="0.002"/>
  <size memory="256K"/>
  <default>
    <joint armature="1" damping="1" limited="true"/>
    <geom contype="1" conaffinity="1" condim="1" margin="0.001" solimp="0.8 0.8 0.01" solref="0.02 1" rgba="0.8 0.6 0.4 1"/>
    <motor ctrllimited="true" ctrlrange="-0.4 0.4"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" pos="0 0 0" size="20 20 0.125" condim="3" conaffinity="1" friction="1 0.005 0.0001" rgba="0.45 0.55 0.5 1"/>
    <body name="torso" pos="0 0 1.25">
      <joint name="rootx" type="slide" axis="1 0 0" pos="0 0 -1.25" limited="false" armature="0" damping="0" stiffness="0"/>
      <joint name="rootz" type="slide" axis="0 0 1" pos="0 0 -1.25" ref="1.25" limited="false" armature="0" damping="0" stiffness="0"/>
      <joint name="rooty" type="hinge" axis="0 1 0" pos="0 0 0" limited="false" armature="0" damping="0" stiffness="0"/>
      <geom name="torso_geom" type="capsule" size="0.05 0.2" friction="0.9"/>
      <body name="thigh" pos="0 0 -0.2">
        <joint name="thigh_joint" type="hinge" axis="0 -1 0" pos="0 0 0" range="-150 0"/>
        <geom name="thigh_geom" type="capsule" size="0.05 0.225" pos="0 0 -0.225" friction="0.9"/>
        <body name="leg" pos="0 0 -0.7">
          <joint name="leg_joint" type="hinge" axis="0 -1 0" pos="0 0 0.25" range="-150 0"/>
          <geom name="leg_geom" type="capsule" size="0.04 0.25" friction="0.9"/>
          <body name="foot" pos="0.13 0 -0.35">
            <joint name="foot_joint" type="hinge" axis="0 -1 0" pos="-0.13 0 0.1" range="-45 45"/>
            <geom name="foot_geom" type="capsule" size="0.06 0.195" pos="-0.065 0 0.1" quat="0.70710678 0 -0.70710678 0" friction="2.0"/>
          </body>
        </body>
      </body>
    </body>
  </worldbody>
  <actuator>
    <motor joint="thigh_joint" gear="200" ctrlrange="-1 1"/>
    <motor joint="leg_joint" gear="200" ctrlrange="-1 1"/>
    <motor joint="foot_joint" gear="200" ctrlrange="-1 1"/>
  </actuator>
</mujoco>`;
